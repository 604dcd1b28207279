/* pipeline SIZE CMD [ARG...] [| CMD [ARG...]]...: runs the commands as a
 * shell pipeline, stdin /dev/null, with every pipe F_SETPIPE_SZ'd to SIZE
 * bytes (a shell cannot do that), and the last one's stdout this stdout.
 * The lab's pipeline lessons are recorded on Linux with it (record.sh). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: pipeline SIZE CMD [ARG...] [| CMD [ARG...]]...\n");
    return 2;
  }
  int size = atoi(argv[1]);
  int in = open("/dev/null", O_RDONLY);
  int children = 0, status = 0;
  for (int i = 2; i < argc;) {
    int end = i;
    while (end < argc && strcmp(argv[end], "|") != 0) end++;
    int last = end == argc;
    int fds[2] = {-1, 1};
    if (!last) {
      if (pipe(fds) < 0 || fcntl(fds[1], F_SETPIPE_SZ, size) < 0) {
        perror("pipeline: pipe");
        return 2;
      }
    }
    argv[end < argc ? end : argc] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
      dup2(in, 0);
      if (!last) dup2(fds[1], 1);
      if (!last) close(fds[0]);
      execvp(argv[i], argv + i);
      perror(argv[i]);
      _exit(127);
    }
    children++;
    close(in);
    if (!last) close(fds[1]);
    in = fds[0];
    i = end + 1;
  }
  while (children-- > 0) {
    int s;
    wait(&s);
    if (!WIFEXITED(s) || WEXITSTATUS(s) != 0) status = 1;
  }
  return status;
}
