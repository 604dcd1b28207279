/* tee: copies stdin to stdout and to FILE (default: stderr) without
 * touching the bytes: tee(2) duplicates the buffers of the stdin pipe into
 * the stdout pipe, then splice(2) moves the same buffers to FILE. stdin and
 * stdout must be pipes (the tee(2) man page example, blocking). */
#include "splicekit.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  int out = 2;
  if (argc > 1) {
    out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) {
      fprintf(stderr, "tee: %s: %s\n", argv[1], strerror(errno));
      return 1;
    }
  }
  for (;;) {
    ssize_t len = tee(0, 1, INT_MAX, 0);
    if (len < 0) {
      if (errno == EINTR) continue;
      fprintf(stderr, "tee: tee: %s\n", strerror(errno));
      return 1;
    }
    if (len == 0) break; /* end of input */
    while (len > 0) {
      ssize_t n = splice(0, NULL, out, NULL, len, SPLICE_F_MOVE);
      if (n < 0) {
        fprintf(stderr, "tee: splice: %s\n", strerror(errno));
        return 1;
      }
      len -= n;
    }
  }
  if (out != 2 && close(out) < 0) return 1;
  return 0;
}
