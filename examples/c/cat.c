/* cat: copies each FILE ("-" is stdin), or stdin, to stdout with read(2)
 * and write(2). */
#include "splicekit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static char buf[65536];

/* Copies fd to stdout; -1 with errno on failure. */
static int copy(int fd) {
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0) return 0;
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(1, buf + off, n - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        return -1;
      }
      off += w;
    }
  }
}

int main(int argc, char **argv) {
  int status = 0;
  if (argc < 2) {
    if (copy(0) < 0) {
      fprintf(stderr, "cat: -: %s\n", strerror(errno));
      return 1;
    }
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    int fd = strcmp(argv[i], "-") == 0 ? 0 : open(argv[i], O_RDONLY);
    if (fd < 0 || copy(fd) < 0) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    }
    if (fd > 0) close(fd);
  }
  return status;
}
