/* The 2006 hazard, deterministic in one process: vmsplice puts the
 * caller's own pages in the pipe, so rewriting the buffer before the
 * reader reads changes what it reads; tee gives the page a second
 * reference, which reading the first pipe does not end; write copies, so a
 * later change is not seen. Natively and under splicekit the output must
 * be the same: the guest's memory is the machine's to map. */
#include "splicekit.h"
#include "show.h"

#include <stdlib.h>
#include <string.h>

int main(void) {
  int p[2], q[2];
  char out[8] = {0};
  char *buf = aligned_alloc(4096, 8192);
  memcpy(buf, "first", 5);
  show("pipe", pipe(p));
  show("pipe", pipe(q));
  struct iovec iov = {buf, 5};
  show("vmsplice", vmsplice(p[1], &iov, 1, 0));
  memcpy(buf, "FIRST", 5);
  show("tee", tee(p[0], q[1], 5, 0));
  show("read p", read(p[0], out, 5));
  printf("p read: %.5s\n", out);
  memcpy(buf, "third", 5);
  show("read q", read(q[0], out, 5));
  printf("q read: %.5s\n", out);
  show("write", write(p[1], buf, 5));
  memcpy(buf, "later", 5);
  show("read", read(p[0], out, 5));
  printf("written then read: %.5s\n", out);
  /* Two iovecs over two pages: each page is the caller's. */
  memcpy(buf + 4090, "abcdefghijkl", 12);
  iov.iov_base = buf + 4090;
  iov.iov_len = 12;
  show("vmsplice across pages", vmsplice(p[1], &iov, 1, 0));
  memcpy(buf + 4094, "XYZW", 4);
  show("read", read(p[0], out, 8));
  printf("across pages: %.8s\n", out);
  show("read", read(p[0], out, 4));
  printf("rest: %.4s\n", out);
  return 0;
}
