/* What the test programs print for a call: "what: result", or "what: -1
 * ENAME" with the errno by name (strerror texts differ between libcs). */
#ifndef SHOW_H
#define SHOW_H

#include <errno.h>
#include <stdio.h>

static const char *ename(int e) {
  switch (e) {
  case EAGAIN: return "EAGAIN";   case EBADF: return "EBADF";   case EINVAL: return "EINVAL";
  case ESPIPE: return "ESPIPE";   case EFAULT: return "EFAULT"; case ENOENT: return "ENOENT";
  case EAFNOSUPPORT: return "EAFNOSUPPORT"; case EOPNOTSUPP: return "EOPNOTSUPP"; case EEXIST: return "EEXIST";
  case EISDIR: return "EISDIR";   case EMFILE: return "EMFILE";   case EPIPE: return "EPIPE";
  case EMSGSIZE: return "EMSGSIZE"; case ECONNREFUSED: return "ECONNREFUSED"; case ENOTCONN: return "ENOTCONN";
  case ENOSPC: return "ENOSPC";   case EPERM: return "EPERM";     case ENOTDIR: return "ENOTDIR";
#ifdef ENOTCAPABLE /* WASI's: a path outside every preopen */
  case ENOTCAPABLE: return "ENOTCAPABLE";
#endif
  default: return "other";
  }
}

/* Prints "what: result" or "what: -1 ENAME"; returns r. */
static long show(const char *what, long r) {
  if (r < 0) printf("%s: -1 %s\n", what, ename(errno));
  else printf("%s: %ld\n", what, r);
  return r;
}

#endif
