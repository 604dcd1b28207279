/* sum: bytes and FNV-1a 32-bit hash of stdin ("wc -c" with a checksum), so
 * a pipeline's output proves every byte arrived in order. */
#include "splicekit.h"

#include <stdint.h>
#include <stdio.h>

static unsigned char buf[65536];

int main(void) {
  uint64_t total = 0;
  uint32_t h = 0x811c9dc5u;
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) {
      perror("sum: read");
      return 1;
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++) h = (h ^ buf[i]) * 0x01000193u;
    total += (uint64_t)n;
  }
  printf("%llu %08x\n", (unsigned long long)total, h);
  return 0;
}
