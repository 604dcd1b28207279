/* Files in a directory named by argv[1] (a host directory under splicekit,
 * given with --dir): written, spliced and sent to and from, left there for
 * the caller to find after exit; and the devices by their absolute paths,
 * /dev/full failing every write with ENOSPC. Run natively and under
 * splicekit, the two outputs must be identical. */
#include "splicekit.h"
#include "show.h"

#include <stdio.h>
#include <string.h>

static char path[4096];
static const char *in(const char *dir, const char *name) {
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return path;
}

/* Prints "what: fd" or the error: fd numbers differ (under WASI the preopens come first), so not the number. */
static int opened(const char *what, int fd) {
  if (fd < 0) show(what, fd);
  else printf("%s: fd\n", what);
  return fd;
}

/* Reads up to n bytes of fd and prints them as text. */
static void readout(const char *what, int fd, size_t n) {
  char buf[256] = {0};
  ssize_t r = read(fd, buf, n < sizeof buf - 1 ? n : sizeof buf - 1);
  if (r < 0) show(what, r);
  else printf("%s: %zd \"%s\"\n", what, r, buf);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *dir = argv[1];
  const char text[] = "written by the program\n";

  int f = opened("open data", open(in(dir, "data"), O_RDWR | O_CREAT | O_TRUNC, 0644));
  show("write data", write(f, text, strlen(text)));
  show("lseek data", lseek(f, 0, SEEK_SET));
  readout("read data", f, 100);

  /* splice both ways: file -> pipe -> another file. */
  int p[2];
  show("pipe", pipe(p));
  off_t off = 8;
  show("splice data -> pipe at 8", splice(f, &off, p[1], NULL, 100, 0));
  printf("off after: %lld\n", (long long)off);
  int g = opened("open spliced", open(in(dir, "spliced"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
  show("splice pipe -> spliced", splice(p[0], NULL, g, NULL, 100, 0));
  show("write pipe", write(p[1], "tail\n", 5));
  show("splice pipe -> spliced again", splice(p[0], NULL, g, NULL, 100, 0));
  show("close spliced", close(g));

  /* sendfile both ways: file -> file, file -> pipe. */
  int c = opened("open copy", open(in(dir, "copy"), O_WRONLY | O_CREAT | O_TRUNC, 0644));
  off = 0;
  show("sendfile data -> copy", sendfile(c, f, &off, 1000));
  off = 11;
  show("sendfile data -> pipe from 11", sendfile(p[1], f, &off, 7));
  readout("read pipe", p[0], 100);
  show("close copy", close(c));
  show("close data", close(f));

  /* The devices, by their absolute paths. */
  int full = opened("open /dev/full", open("/dev/full", O_RDWR));
  show("write /dev/full", write(full, text, 5));
  show("write /dev/full nothing", write(full, text, 0));
  char zeros[8] = "xxxxxxx";
  show("read /dev/full", read(full, zeros, 4));
  printf("zeros: %d %d %d %d %c\n", zeros[0], zeros[1], zeros[2], zeros[3], zeros[4]);
  show("write pipe", write(p[1], "abc", 3));
  show("splice pipe -> /dev/full", splice(p[0], NULL, full, NULL, 3, 0));
  readout("read pipe", p[0], 100);
  show("sendfile /dev/full -> pipe", sendfile(p[1], full, NULL, 6));
  show("read pipe count", read(p[0], zeros, sizeof zeros));
  int null = opened("open /dev/null", open("/dev/null", O_WRONLY));
  show("write /dev/null", write(null, text, 5));
  int zero = opened("open /dev/zero", open("/dev/zero", O_RDONLY));
  show("sendfile /dev/zero -> /dev/full", sendfile(full, zero, NULL, 5));
  show("sendfile /dev/zero -> /dev/null", sendfile(null, zero, NULL, 5));
  FILE *s = fopen("/dev/full", "w");
  printf("fopen /dev/full: %s\n", s ? "ok" : "failed");
  fputs("buffered", s);
  int r = fflush(s);
  printf("fflush /dev/full: %d %s\n", r, r ? ename(errno) : "");
  opened("open /dev/nothing", open("/dev/nothing", O_RDONLY));
  return 0;
}
