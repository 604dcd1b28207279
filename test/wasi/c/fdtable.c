/* The fd table as a program sees it through include/splicekit.h: the
 * close-on-exec flag (pipe2, open, dup3, F_DUPFD_CLOEXEC, F_SETFD), the
 * lowest free fd, and the errors of dup2, dup3 and F_DUPFD at the fd limit.
 * Run natively and under splicekit, the two outputs must be identical; fd
 * numbers are printed only relative to one another (under WASI fd 3 is the
 * preopen). */
#include "splicekit.h"
#include "show.h"

#include <errno.h>
#include <stdio.h>

/* RLIMIT_NOFILE's default soft limit, which both runs have. */
#define NOFILE 1024


int main(void) {
  int p[2], q[2];
  show("pipe2 O_CLOEXEC", pipe2(p, O_CLOEXEC));
  show("F_GETFD read end", fcntl(p[0], F_GETFD));
  show("F_GETFD write end", fcntl(p[1], F_GETFD));
  show("F_SETFD 0", fcntl(p[0], F_SETFD, 0));
  show("F_GETFD after", fcntl(p[0], F_GETFD));
  int d = show("dup is not close-on-exec", fcntl(dup(p[1]), F_GETFD));
  (void)d;
  int e = dup3(p[0], 100, O_CLOEXEC);
  show("dup3 O_CLOEXEC onto 100", e);
  show("F_GETFD 100", fcntl(100, F_GETFD));
  show("dup3 onto itself", dup3(p[0], p[0], 0));
  show("dup3 O_NONBLOCK", dup3(p[0], 101, O_NONBLOCK));
  show("dup2 onto itself", dup2(p[0], p[0]) == p[0]);
  int f = fcntl(p[0], F_DUPFD_CLOEXEC, 50);
  show("F_DUPFD_CLOEXEC from 50", f);
  show("F_GETFD of it", fcntl(f, F_GETFD));
  show("F_DUPFD from 50 takes 51", fcntl(p[0], F_DUPFD, 50));
  int o = open("f", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  show("open O_CLOEXEC", o >= 0);
  show("F_GETFD of the file", fcntl(o, F_GETFD));
  show("F_GETFL has no O_CLOEXEC", (fcntl(o, F_GETFL) & O_CLOEXEC) != 0);

  /* The lowest free fd: a closed one is taken again first. */
  show("pipe", pipe(q));
  int old = q[0];
  close(q[0]);
  show("dup takes the closed fd", dup(p[0]) == old);

  /* At the limit. */
  show("dup2 onto the last fd", dup2(p[0], NOFILE - 1));
  show("dup2 onto the limit", dup2(p[0], NOFILE));
  show("F_DUPFD from the limit", fcntl(p[0], F_DUPFD, NOFILE));
  show("F_DUPFD from the last fd", fcntl(p[0], F_DUPFD, NOFILE - 1));
  return 0;
}
