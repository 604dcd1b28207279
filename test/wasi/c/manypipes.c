// Makes pipes until the kernel refuses one, then writes to stdout: the
// output must still arrive when no pipe (or ring) is left to carry it.
#include "splicekit.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
  int fds[2], made = 0;
  while (pipe(fds) == 0) made++;
  int err = errno;
  printf("made some pipes: %s\n", made > 0 ? "yes" : "no");
  printf("then pipe failed: %s\n", err == EMFILE || err == ENFILE || err == ENOMEM ? "EMFILE, ENFILE or ENOMEM" : strerror(err));
  for (int i = 0; i < 2000; i++) printf("line %d of output written after the last pipe\n", i);
  return 0;
}
