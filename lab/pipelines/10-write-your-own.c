/* Lesson 10: Write your own
 * splicekit.h first: pipe, splice, tee, vmsplice (and release notifications)
 * for wasm32-wasi, with Linux's names and flags. Compile, Run, and watch the
 * kernel as your program exits. */
#include "splicekit.h"

#include <stdio.h>
#include <string.h>

/* Page-aligned, so vmsplice maps these very pages. */
static char buf[2 * 4096] __attribute__((aligned(4096)));

int main(void) {
  int p[2];
  if (pipe(p) < 0) {
    perror("pipe");
    return 1;
  }
  /* Your code here. */
  return 0;
}
