/* Tries to leave the directory argv[1] (a host directory under splicekit,
 * given with --dir; the test puts symlinks in it that lead outside). Under
 * splicekit each attempt is refused; natively nothing stops them, so this
 * program's output is checked only as a guest. */
#include "splicekit.h"
#include "show.h"

#include <stdio.h>
#include <string.h>

static char path[4096];
static const char *in(const char *dir, const char *name) {
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return path;
}

/* Opens `p` with `flags` and prints "what: opened" (and closes it) or the error. */
static void try_open(const char *what, const char *p, int flags) {
  int fd = open(p, flags, 0644);
  if (fd < 0) {
    show(what, fd);
    return;
  }
  char buf[64] = {0};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  printf("%s: opened \"%s\"\n", what, n > 0 ? buf : "");
  close(fd);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *dir = argv[1];
  try_open("an absolute symlink out", in(dir, "abs"), O_RDONLY);
  try_open("a relative symlink out", in(dir, "sub/rel"), O_RDONLY);
  try_open("create through a dangling symlink", in(dir, "dangling"), O_WRONLY | O_CREAT);
  try_open("create in a symlinked directory outside", in(dir, "dirlink/new"), O_WRONLY | O_CREAT);
  try_open(".. past the preopen", in(dir, "../../../etc/hostname"), O_RDONLY);
  try_open("a symlink that stays inside", in(dir, "ok"), O_RDONLY);
  try_open("sub/.. stays inside", in(dir, "sub/../ok"), O_RDONLY);
  show("unlink through a symlinked directory", unlink(in(dir, "dirlink/secret")));
  show("unlink a symlink that points out (the link goes)", unlink(in(dir, "abs")));
  return 0;
}
