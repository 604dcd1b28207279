/* wc -c: prints the byte count of stdin, or of each FILE (and a total for
 * several), as "wc -c" does. "-c" itself is accepted and ignored. */
#include "splicekit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static char buf[65536];

/* The bytes readable from fd, or -1 with errno. */
static long long count(int fd) {
  long long total = 0;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n == 0) return total;
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    total += n;
  }
}

int main(int argc, char **argv) {
  int first = argc > 1 && strcmp(argv[1], "-c") == 0 ? 2 : 1;
  if (first >= argc) {
    long long n = count(0);
    if (n < 0) {
      fprintf(stderr, "wc: -: %s\n", strerror(errno));
      return 1;
    }
    printf("%lld\n", n);
    return 0;
  }
  int status = 0;
  long long total = 0;
  for (int i = first; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    long long n = fd < 0 ? -1 : count(fd);
    if (n < 0) {
      fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
      status = 1;
    } else {
      printf("%lld %s\n", n, argv[i]);
      total += n;
    }
    if (fd >= 0) close(fd);
  }
  if (argc - first > 1) printf("%lld total\n", total);
  return status;
}
