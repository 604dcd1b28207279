/* status MODE: ends in different ways, with buffered output pending, so
 * exit statuses (and stdio flushing at exit) can be compared. */
#include "splicekit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "return";
  /* No newline: musl (wasi-libc) writes stdout's first line at once, glibc buffers it. */
  printf("buffered before %s;", mode);
  if (strcmp(mode, "exit") == 0) exit(42);
  if (strcmp(mode, "_exit") == 0) _exit(7); /* no flush: the line is lost both ways */
  if (strcmp(mode, "abort") == 0) {
    fflush(stdout);
    abort();
  }
  if (strcmp(mode, "big") == 0) exit(256 + 3); /* the low 8 bits */
  return 3;
}
