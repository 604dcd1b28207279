/* File status flags as a program sees them through include/splicekit.h:
 * F_GETFL and F_SETFL on pipe ends, a packet pipe, a socket and a file,
 * O_DIRECT (packet mode on a pipe; EINVAL on a socket) and O_ASYNC (kept by
 * pipes and sockets, which have a fasync operation, not by files). Run
 * natively and under splicekit, the two outputs must be identical. */
#include "splicekit.h"
#include "show.h"

#include <stdio.h>

/* The status flags F_GETFL shows, by name (the numbers differ between libcs). */
static void flags(const char *what, int fd) {
  int f = fcntl(fd, F_GETFL);
  if (f < 0) {
    show(what, f);
    return;
  }
  int acc = f & O_ACCMODE;
  printf("%s: %s%s%s%s%s\n", what, acc == O_RDONLY ? "RDONLY" : acc == O_WRONLY ? "WRONLY" : "RDWR",
         f & O_NONBLOCK ? "|NONBLOCK" : "", f & O_APPEND ? "|APPEND" : "", f & O_DIRECT ? "|DIRECT" : "",
         f & O_ASYNC ? "|ASYNC" : "");
}

int main(void) {
  int p[2], q[2], s[2];
  show("pipe2", pipe2(p, 0));
  flags("read end", p[0]);
  flags("write end", p[1]);
  show("pipe2 O_DIRECT|O_NONBLOCK", pipe2(q, O_DIRECT | O_NONBLOCK));
  flags("packet write end", q[1]);
  show("F_SETFL every flag on a pipe", fcntl(p[1], F_SETFL, O_NONBLOCK | O_APPEND | O_DIRECT | O_ASYNC));
  flags("write end after", p[1]);
  show("F_SETFL 0", fcntl(p[1], F_SETFL, 0));
  flags("write end cleared", p[1]);
  show("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, s));
  show("F_SETFL O_DIRECT on a socket", fcntl(s[0], F_SETFL, O_DIRECT));
  show("F_SETFL O_ASYNC|O_NONBLOCK on a socket", fcntl(s[0], F_SETFL, O_ASYNC | O_NONBLOCK));
  flags("socket", s[0]);
  flags("its peer", s[1]);
  int f = open("flags.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644);
  show("open", f >= 0);
  show("F_SETFL O_ASYNC|O_APPEND on a file", fcntl(f, F_SETFL, O_ASYNC | O_APPEND));
  flags("file", f);
  unlink("flags.tmp");
  show("F_GETFL of a closed fd", fcntl(99, F_GETFL));
  return 0;
}
