/* producer [-n] [BYTES]: the 2006 vmsplice scenario. Writes BYTES (default
 * 1 MiB) of text to stdout, which must be a pipe, by vmsplice(2) from a
 * buffer twice the pipe size: one half is in the pipe while the other is
 * refilled. The 2006 rule reuses a half once the other half has been
 * vmspliced completely: the pipe holds at most a pipe-size of buffers, so
 * none of them is the earlier half any more, as long as the reader consumes
 * this pipe directly. A reader that tees or splices the pages onwards keeps
 * references, and the refill changes what it reads: the stream comes out
 * wrong.
 *
 * -n waits instead until splicekit says the kernel holds no page of the
 * half (release notifications, see splicekit.h), which is right whatever
 * the reader does. Where they do not exist (on Linux: ENOSYS) it writes
 * the bytes with write(2), which copies them. */
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

/* Released ids, by id mod the table's size (an id's bit is cleared when it is handed out). */
static unsigned char released[1 << 16];

/* Reads release records until `id` is among those seen (the notify fd blocks). */
static int wait_released(int nfd, unsigned id) {
  while (!released[id & 0xffff]) {
    unsigned rec[2 * 64];
    ssize_t n = read(nfd, rec, sizeof rec);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    for (ssize_t i = 0; i < n / 8; i++)
      for (unsigned r = rec[2 * i]; r != rec[2 * i + 1] + 1; r++) released[r & 0xffff] = 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  int notify = argc > 1 && strcmp(argv[1], "-n") == 0;
  if (notify) argv++, argc--;
  unsigned long long total = argc > 1 ? strtoull(argv[1], NULL, 10) : 1 << 20;
  int nfd = notify ? splicekit_notifyfd(0) : -1;
  if (notify && nfd < 0 && errno != ENOSYS) {
    fprintf(stderr, "producer: notifyfd: %s\n", strerror(errno));
    return 1;
  }
  int psz = fcntl(1, F_GETPIPE_SZ);
  if (psz < 0) {
    fprintf(stderr, "producer: stdout: %s\n", strerror(errno));
    return 1;
  }
  char *buf = aligned_alloc(4096, 2 * (size_t)psz);
  if (!buf) return 1;
  int half = 0;
  /* Per half: the ids of the vmsplices that hold its pages, to wait for before refilling it. */
  unsigned pending[2][64];
  int npending[2] = {0, 0};
  for (unsigned long long done = 0; done < total; half ^= 1) {
    size_t n = total - done < (unsigned long long)psz ? total - done : (size_t)psz;
    for (int i = 0; i < npending[half]; i++) {
      if (wait_released(nfd, pending[half][i]) < 0) {
        fprintf(stderr, "producer: notify fd: %s\n", strerror(errno));
        return 1;
      }
    }
    npending[half] = 0;
    fill(buf + (size_t)half * psz, n, done);
    struct iovec iov = {buf + (size_t)half * psz, n};
    while (iov.iov_len > 0) {
      ssize_t w;
      if (notify && nfd >= 0 && npending[half] < 64) {
        unsigned id;
        w = splicekit_vmsplice_notify(1, &iov, 1, 0, nfd, &id);
        if (w > 0) {
          released[id & 0xffff] = 0;
          pending[half][npending[half]++] = id;
        }
      } else if (notify) {
        w = write(1, iov.iov_base, iov.iov_len);
      } else {
        w = vmsplice(1, &iov, 1, 0);
      }
      if (w < 0) {
        if (errno == EINTR) continue;
        fprintf(stderr, "producer: %s: %s\n", notify ? "write" : "vmsplice", strerror(errno));
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
