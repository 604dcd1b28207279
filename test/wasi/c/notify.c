/* A guest that reuses its buffer when splicekit says the kernel is done with
 * it: vmsplice_notify through two pipes, then the notify fd's records, then
 * the read side as a loan. splicekit-only: the calls have no Linux twin. */
#include "splicekit.h"
#include <stdio.h>
#include <string.h>

int main(void) {
  int p[2], q[2];
  if (pipe2(p, O_NONBLOCK) || pipe2(q, O_NONBLOCK)) return 1;
  int nfd = splicekit_notifyfd(O_NONBLOCK);
  char buf[16] = "first message";
  struct iovec iov = { buf, 13 };
  unsigned id;
  printf("sent %zd\n", splicekit_vmsplice_notify(p[1], &iov, 1, 0, nfd, &id));
  printf("moved %zd\n", splice(p[0], NULL, q[1], NULL, 100, 0));
  unsigned rec[2];
  printf("before read: %zd\n", read(nfd, rec, sizeof rec)); /* -1: EAGAIN */
  unsigned h;
  ssize_t n = splicekit_vmsplice_loan(q[0], 100, 0, &h);
  char got[32] = { 0 };
  printf("lent %zd, copied %zd: %s\n", n, splicekit_loan_copy(h, 6, got, sizeof got - 1), got);
  printf("still lent: %zd\n", read(nfd, rec, sizeof rec));
  splicekit_loan_release(h);
  n = read(nfd, rec, sizeof rec);
  printf("released: %zd bytes, ids %u..%u (sent id %u)\n", n, rec[0], rec[1], id);
  return 0;
}
