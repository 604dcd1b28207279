/* syscall [N]: N fcntl(F_GETPIPE_SZ) calls on a pipe, then the time one
 * took, in ns: a syscall's round trip from a program, natively or as a
 * guest in a Worker. */
#include "splicekit.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  int p[2];
  if (pipe(p) < 0) return 1;
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++)
    if (fcntl(p[0], F_GETPIPE_SZ) < 0) return 1;
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.1f\n", ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)n);
  return 0;
}
