/* relay: stdin -> a pipe -> stdout with splice(2) alone: the bytes never
 * pass through this process's memory, only page references move. */
#include "splicekit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  int p[2];
  if (pipe(p) < 0) {
    fprintf(stderr, "relay: pipe: %s\n", strerror(errno));
    return 1;
  }
  for (;;) {
    ssize_t n = splice(0, NULL, p[1], NULL, 65536, SPLICE_F_MOVE | SPLICE_F_MORE);
    if (n < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "relay: splice in: %s\n", strerror(errno));
      return 1;
    }
    if (n == 0) break; /* end of input */
    while (n > 0) {
      ssize_t m = splice(p[0], NULL, 1, NULL, n, SPLICE_F_MOVE);
      if (m < 0) {
        fprintf(stderr, "relay: splice out: %s\n", strerror(errno));
        return 1;
      }
      n -= m;
    }
  }
  return 0;
}
