/* sigpipe [ignore]: a write to a pipe whose reader is gone. By default
 * SIGPIPE ends the program (status 141 under a shell); with SIGPIPE
 * ignored the write fails EPIPE and the program goes on. Builds unchanged
 * natively and as a guest (include/splicekit.h first, then <signal.h>). */
#include "splicekit.h"
#include "show.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int p[2];
  if (pipe(p) < 0) return 1;
  close(p[0]);
  if (argc > 1 && strcmp(argv[1], "ignore") == 0) {
    show("signal SIGPIPE SIG_IGN was SIG_DFL", signal(SIGPIPE, SIG_IGN) == SIG_DFL);
    show("and again: was SIG_IGN", signal(SIGPIPE, SIG_IGN) == SIG_IGN);
  }
  fflush(stdout);
  show("write with no reader", write(p[1], "x", 1));
  show("still running", 1);
  show("SIG_DFL back, was SIG_IGN", signal(SIGPIPE, SIG_DFL) == SIG_IGN);
  fflush(stdout);
  show("write with no reader again", write(p[1], "x", 1));
  show("not reached", 1);
  return 0;
}
