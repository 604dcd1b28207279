/* producer [BYTES]: the 2006 vmsplice scenario. Writes BYTES (default
 * 1 MiB) of text to stdout, which must be a pipe, by vmsplice(2) from a
 * buffer twice the pipe size: one half is in the pipe while the other is
 * refilled. Reusing a half is safe once the other half has been vmspliced
 * completely: the pipe holds at most a pipe-size of buffers, so none of
 * them is the earlier half any more (as long as the reader consumes this
 * pipe directly and does not splice it onwards). */
#include "splicekit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 64-byte lines whose text depends on the position: any misplaced page shows. */
static void fill(char *p, size_t n, unsigned long long at) {
  static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (size_t i = 0; i < n; i++) {
    unsigned long long x = at + i;
    p[i] = x % 64 == 63 ? '\n' : digits[(x / 64 + x % 64) % 36];
  }
}

int main(int argc, char **argv) {
  unsigned long long total = argc > 1 ? strtoull(argv[1], NULL, 10) : 1 << 20;
  int psz = fcntl(1, F_GETPIPE_SZ);
  if (psz < 0) {
    fprintf(stderr, "producer: stdout: %s\n", strerror(errno));
    return 1;
  }
  char *buf = aligned_alloc(4096, 2 * (size_t)psz);
  if (!buf) return 1;
  int half = 0;
  for (unsigned long long done = 0; done < total; half ^= 1) {
    size_t n = total - done < (unsigned long long)psz ? total - done : (size_t)psz;
    fill(buf + (size_t)half * psz, n, done);
    struct iovec iov = {buf + (size_t)half * psz, n};
    while (iov.iov_len > 0) {
      ssize_t w = vmsplice(1, &iov, 1, 0);
      if (w < 0) {
        if (errno == EINTR) continue;
        fprintf(stderr, "producer: vmsplice: %s\n", strerror(errno));
        return 1;
      }
      iov.iov_base = (char *)iov.iov_base + w;
      iov.iov_len -= w;
    }
    done += n;
  }
  fprintf(stderr, "producer: %llu bytes through a %d-byte pipe\n", total, psz);
  return 0;
}
