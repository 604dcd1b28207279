/*
 * splicekit.h: Linux pipes, splice(2), tee(2), vmsplice(2) and sendfile(2)
 * for one source that builds both ways, unchanged:
 *
 *   gcc -O2 -Iinclude prog.c                                  (Linux: the real calls)
 *   clang --target=wasm32-wasi -O2 -Iinclude prog.c -o prog.wasm   (splicekit)
 *
 * Natively it only includes the system headers. Under __wasi__ it declares
 * the `splicekit` imports (Linux signatures, Linux flag values, -errno
 * results) and wraps them as the libc functions, translating wasi-libc's
 * flag values (its O_NONBLOCK is 4, not 04000) and errno numbers (its
 * EAGAIN is 6, not 11) both ways, so a program keeps using <fcntl.h>'s
 * names. Include it first (it defines _GNU_SOURCE). The calls are macros:
 * call them, do not take their address. fcntl() and ioctl() handle the
 * pipe commands (F_GETPIPE_SZ, F_SETPIPE_SZ, FIONREAD), the fd-table ones
 * (F_GETFD, F_SETFD, F_DUPFD, F_DUPFD_CLOEXEC) and the status flags
 * (F_GETFL, F_SETFL: O_APPEND, O_NONBLOCK, O_DIRECT, which WASI's fdflags
 * cannot express, and O_ASYNC) here and pass the rest to wasi-libc. wasi-libc defines
 * O_CLOEXEC as 0 (WASI has no exec); here it is a bit of its own, which
 * pipe2(), dup3() and open() pass on to splicekit's fd table.
 */
#ifndef SPLICEKIT_H
#define SPLICEKIT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef __wasi__
#include <errno.h>
#include <sys/sendfile.h>

/* The splicekit extensions have no Linux twin: natively they fail ENOSYS,
 * so a program can use them where they exist and fall back where not. */
static inline int splicekit_enosys(void) { errno = ENOSYS; return -1; }
static inline int splicekit_notifyfd(int flags) { (void)flags; return splicekit_enosys(); }
static inline ssize_t splicekit_vmsplice_notify(int fd, const struct iovec *iov, size_t nr_segs, unsigned flags, int nfd, unsigned *id) {
  (void)fd; (void)iov; (void)nr_segs; (void)flags; (void)nfd; (void)id;
  return splicekit_enosys();
}
static inline ssize_t splicekit_vmsplice_loan(int fd, size_t len, unsigned flags, unsigned *handle) {
  (void)fd; (void)len; (void)flags; (void)handle;
  return splicekit_enosys();
}
static inline ssize_t splicekit_loan_copy(unsigned handle, size_t offset, void *buf, size_t len) {
  (void)handle; (void)offset; (void)buf; (void)len;
  return splicekit_enosys();
}
static inline int splicekit_loan_release(unsigned handle) { (void)handle; return splicekit_enosys(); }
#else /* __wasi__ */

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>

#ifndef SPLICE_F_MOVE
#define SPLICE_F_MOVE 1
#define SPLICE_F_NONBLOCK 2
#define SPLICE_F_MORE 4
#define SPLICE_F_GIFT 8
#endif
#ifndef F_SETPIPE_SZ
#define F_SETPIPE_SZ 1031
#define F_GETPIPE_SZ 1032
#endif
#ifndef loff_t
#define loff_t off_t
#endif
/* Bits wasi-libc's O_* flags do not use: pipe2(), F_GETFL and F_SETFL give them meaning. */
#ifndef O_DIRECT
#define O_DIRECT 0x20000000
#endif
#ifndef O_ASYNC
#define O_ASYNC 0x00800000
#endif
#ifndef FASYNC
#define FASYNC O_ASYNC
#endif
#ifndef FIONREAD
#define FIONREAD 0x541b
#endif
#ifndef F_DUPFD
#define F_DUPFD 0
#endif
#ifndef F_DUPFD_CLOEXEC
#define F_DUPFD_CLOEXEC 1030
#endif
/* wasi-libc has no SOCK_SEQPACKET: a value of its own, apart from its SOCK_DGRAM (5) and SOCK_STREAM (6). */
#ifndef SOCK_SEQPACKET
#define SOCK_SEQPACKET 7
#endif
/* A bit wasi-libc's open() ignores (it reads the access mode, 0xfff and 0xfff << 12). */
#undef O_CLOEXEC
#define O_CLOEXEC 0x40000000

#define SPLICEKIT_IMPORT(name) __attribute__((import_module("splicekit"), import_name(#name)))
SPLICEKIT_IMPORT(pipe2) int __splicekit_pipe2(int *fds, int flags);
SPLICEKIT_IMPORT(dup) int __splicekit_dup(int fd);
SPLICEKIT_IMPORT(dup2) int __splicekit_dup2(int oldfd, int newfd);
SPLICEKIT_IMPORT(dup3) int __splicekit_dup3(int oldfd, int newfd, int flags);
SPLICEKIT_IMPORT(splice) int __splicekit_splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len, unsigned flags);
SPLICEKIT_IMPORT(tee) int __splicekit_tee(int fd_in, int fd_out, size_t len, unsigned flags);
SPLICEKIT_IMPORT(vmsplice) int __splicekit_vmsplice(int fd, const struct iovec *iov, size_t nr_segs, unsigned flags);
SPLICEKIT_IMPORT(sendfile) int __splicekit_sendfile(int out_fd, int in_fd, loff_t *offset, size_t count);
SPLICEKIT_IMPORT(fcntl) int __splicekit_fcntl(int fd, int cmd, int arg);
SPLICEKIT_IMPORT(ioctl) int __splicekit_ioctl(int fd, int request, void *argp);
SPLICEKIT_IMPORT(socketpair) int __splicekit_socketpair(int domain, int type, int protocol, int *sv);
SPLICEKIT_IMPORT(notifyfd) int __splicekit_notifyfd(int flags);
SPLICEKIT_IMPORT(vmsplice_notify) int __splicekit_vmsplice_notify(int fd, const struct iovec *iov, size_t nr_segs, unsigned flags, int nfd, unsigned *id);
SPLICEKIT_IMPORT(vmsplice_loan) int __splicekit_vmsplice_loan(int fd, size_t len, unsigned flags, unsigned *handle);
SPLICEKIT_IMPORT(loan_copy) int __splicekit_loan_copy(unsigned handle, size_t offset, void *buf, size_t len);
SPLICEKIT_IMPORT(loan_release) int __splicekit_loan_release(unsigned handle);
SPLICEKIT_IMPORT(sigpipe) int __splicekit_sigpipe(int ignore);

/* Linux errno (what the imports return, negated) -> wasi-libc's errno. */
static inline int splicekit_errno(int e) {
  switch (e) {
  case 1: return EPERM;     case 2: return ENOENT;     case 3: return ESRCH;      case 4: return EINTR;      case 5: return EIO;
  case 6: return ENXIO;     case 9: return EBADF;      case 11: return EAGAIN;    case 12: return ENOMEM;
  case 13: return EACCES;   case 14: return EFAULT;    case 16: return EBUSY;     case 17: return EEXIST;
  case 18: return EXDEV;    case 19: return ENODEV;    case 20: return ENOTDIR;   case 21: return EISDIR;
  case 22: return EINVAL;   case 23: return ENFILE;    case 24: return EMFILE;    case 25: return ENOTTY;
  case 27: return EFBIG;    case 28: return ENOSPC;    case 29: return ESPIPE;    case 30: return EROFS;
  case 32: return EPIPE;    case 38: return ENOSYS;    case 75: return EOVERFLOW; case 88: return ENOTSOCK;
  case 93: return EPROTONOSUPPORT; case 94: case 95: return ENOTSUP; case 97: return EAFNOSUPPORT;
  case 90: return EMSGSIZE;  case 104: return ECONNRESET; case 105: return ENOBUFS; case 107: return ENOTCONN;
  case 111: return ECONNREFUSED; case 36: return ENAMETOOLONG;
  default: return EIO;
  }
}

/* A result as libc returns it: -1 with errno set, else the value. */
static inline int splicekit_result(int r) {
  if (r < 0) {
    errno = splicekit_errno(-r);
    return -1;
  }
  return r;
}

/* pipe2() flags: wasi-libc's values (and this header's O_CLOEXEC) -> Linux's. */
static inline int splicekit_pipe_flags(int f) {
  int linux_flags = 0;
  if (f & O_NONBLOCK) linux_flags |= 04000;
  if (f & O_DIRECT) linux_flags |= 040000;
  if (f & O_CLOEXEC) linux_flags |= 02000000;
  if (f & ~(O_NONBLOCK | O_DIRECT | O_CLOEXEC)) linux_flags |= 01; /* unknown: EINVAL, as Linux */
  return linux_flags;
}

static inline int splicekit_pipe2(int fds[2], int flags) {
  return splicekit_result(__splicekit_pipe2(fds, splicekit_pipe_flags(flags)));
}
static inline int splicekit_pipe(int fds[2]) { return splicekit_result(__splicekit_pipe2(fds, 0)); }
static inline int splicekit_dup(int fd) { return splicekit_result(__splicekit_dup(fd)); }
static inline int splicekit_dup2(int oldfd, int newfd) { return splicekit_result(__splicekit_dup2(oldfd, newfd)); }
/* dup3(): O_CLOEXEC -> Linux's; any other flag is Linux's EINVAL. */
static inline int splicekit_dup3(int oldfd, int newfd, int flags) {
  int linux_flags = (flags & O_CLOEXEC ? 02000000 : 0) | (flags & ~O_CLOEXEC ? 01 : 0);
  return splicekit_result(__splicekit_dup3(oldfd, newfd, linux_flags));
}

/* open(): wasi-libc opens; O_CLOEXEC then sets the fd's flag in splicekit's table. */
static inline int splicekit_open(const char *path, int flags, ...) {
  mode_t mode = 0;
  if (flags & O_CREAT) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, int);
    va_end(ap);
  }
  int fd = open(path, flags & ~O_CLOEXEC, mode);
  if (fd >= 0 && (flags & O_CLOEXEC)) __splicekit_fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
}

static inline ssize_t splicekit_splice(int fd_in, loff_t *off_in, int fd_out, loff_t *off_out, size_t len, unsigned flags) {
  return splicekit_result(__splicekit_splice(fd_in, off_in, fd_out, off_out, len, flags));
}
static inline ssize_t splicekit_tee(int fd_in, int fd_out, size_t len, unsigned flags) {
  return splicekit_result(__splicekit_tee(fd_in, fd_out, len, flags));
}
static inline ssize_t splicekit_vmsplice(int fd, const struct iovec *iov, size_t nr_segs, unsigned flags) {
  return splicekit_result(__splicekit_vmsplice(fd, iov, nr_segs, flags));
}
static inline ssize_t splicekit_sendfile(int out_fd, int in_fd, off_t *offset, size_t count) {
  return splicekit_result(__splicekit_sendfile(out_fd, in_fd, offset, count));
}

/*
 * socketpair(AF_UNIX, SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
 * [|SOCK_NONBLOCK|SOCK_CLOEXEC], 0, sv): wasi-libc's values -> Linux's; a
 * type it does not know is one Linux does not support either.
 */
static inline int splicekit_socketpair(int domain, int type, int protocol, int sv[2]) {
  int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
  int ltype = base == SOCK_STREAM ? 1 : base == SOCK_DGRAM ? 2 : base == SOCK_SEQPACKET ? 5 : 0;
  if (type & SOCK_NONBLOCK) ltype |= 04000;
  if (type & SOCK_CLOEXEC) ltype |= 02000000;
  int ldomain = domain == AF_UNIX ? 1 : domain == AF_INET ? 2 : domain == AF_INET6 ? 10 : 0xff;
  return splicekit_result(__splicekit_socketpair(ldomain, ltype, protocol, sv));
}

/* Status flags, Linux's (octal) <-> wasi-libc's and this header's, for F_GETFL and F_SETFL. */
static const int splicekit_status_flags[][2] = {
  {02000, O_APPEND}, {04000, O_NONBLOCK}, {040000, O_DIRECT}, {020000, O_ASYNC},
};
static inline int splicekit_flags_from_linux(int l) {
  int acc = l & 3, f = acc == 0 ? O_RDONLY : acc == 1 ? O_WRONLY : O_RDWR;
  for (size_t i = 0; i < sizeof splicekit_status_flags / sizeof *splicekit_status_flags; i++)
    if (l & splicekit_status_flags[i][0]) f |= splicekit_status_flags[i][1];
  return f;
}
static inline int splicekit_flags_to_linux(int f) {
  int l = 0;
  for (size_t i = 0; i < sizeof splicekit_status_flags / sizeof *splicekit_status_flags; i++)
    if (f & splicekit_status_flags[i][1]) l |= splicekit_status_flags[i][0];
  return l;
}

/*
 * fcntl(): the pipe-size, fd-table and status-flag commands go to
 * splicekit (F_GETFD, F_SETFD and FD_CLOEXEC have Linux's values in
 * wasi-libc; the status flags are translated), the rest to wasi-libc.
 */
static inline int splicekit_fcntl(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  int arg = va_arg(ap, int);
  va_end(ap);
  switch (cmd) {
  case F_GETPIPE_SZ: case F_SETPIPE_SZ: case F_GETFD: case F_SETFD: case F_DUPFD: case F_DUPFD_CLOEXEC:
    return splicekit_result(__splicekit_fcntl(fd, cmd, arg));
  case F_GETFL: {
    int r = splicekit_result(__splicekit_fcntl(fd, 3, 0));
    return r < 0 ? r : splicekit_flags_from_linux(r);
  }
  case F_SETFL:
    return splicekit_result(__splicekit_fcntl(fd, 4, splicekit_flags_to_linux(arg)));
  default:
    return fcntl(fd, cmd, arg);
  }
}

/* ioctl(fd, FIONREAD, &n) goes to splicekit as Linux's FIONREAD; the rest to wasi-libc. */
static inline int splicekit_ioctl(int fd, int request, ...) {
  va_list ap;
  va_start(ap, request);
  void *argp = va_arg(ap, void *);
  va_end(ap);
  if (request == FIONREAD) return splicekit_result(__splicekit_ioctl(fd, 0x541b, argp));
  return ioctl(fd, request, argp);
}

/*
 * splicekit extensions (no Linux equivalent; guests only): release
 * notifications and read-side loans. A notify fd reads as 8-byte records
 * { uint32_t lo, hi } of released vmsplice ids.
 */
static inline int splicekit_notifyfd(int flags) {
  return splicekit_result(__splicekit_notifyfd(flags & O_NONBLOCK ? 04000 : 0));
}
static inline ssize_t splicekit_vmsplice_notify(int fd, const struct iovec *iov, size_t nr_segs, unsigned flags, int nfd, unsigned *id) {
  return splicekit_result(__splicekit_vmsplice_notify(fd, iov, nr_segs, flags, nfd, id));
}
static inline ssize_t splicekit_vmsplice_loan(int fd, size_t len, unsigned flags, unsigned *handle) {
  return splicekit_result(__splicekit_vmsplice_loan(fd, len, flags, handle));
}
static inline ssize_t splicekit_loan_copy(unsigned handle, size_t offset, void *buf, size_t len) {
  return splicekit_result(__splicekit_loan_copy(handle, offset, buf, len));
}
static inline int splicekit_loan_release(unsigned handle) {
  return splicekit_result(__splicekit_loan_release(handle));
}

/*
 * signal(): WASI has no signals, and wasi-libc's <signal.h> refuses to be
 * included without its emulation: here it is included with it, and
 * signal() is splicekit's. SIGPIPE is the one that matters: by default a
 * write with no reader ends the program with status 141; SIG_IGN makes it
 * fail EPIPE instead, as on Linux. A handler function is not run (nothing
 * raises a signal): signal() refuses it with EINVAL. Other signals take
 * SIG_IGN and SIG_DFL and are never raised.
 */
#ifndef _WASI_EMULATED_SIGNAL
#define _WASI_EMULATED_SIGNAL
#endif
#include <signal.h>
static inline void (*splicekit_signal(int sig, void (*handler)(int)))(int) {
  if (handler != SIG_IGN && handler != SIG_DFL) {
    errno = EINVAL;
    return SIG_ERR;
  }
  if (sig != SIGPIPE) return SIG_DFL;
  return __splicekit_sigpipe(handler == SIG_IGN) == 1 ? SIG_IGN : SIG_DFL;
}

#define pipe(fds) splicekit_pipe(fds)
#define pipe2(fds, flags) splicekit_pipe2(fds, flags)
#define dup(fd) splicekit_dup(fd)
#define dup2(oldfd, newfd) splicekit_dup2(oldfd, newfd)
#define dup3(oldfd, newfd, flags) splicekit_dup3(oldfd, newfd, flags)
#define open(...) splicekit_open(__VA_ARGS__)
#define splice(...) splicekit_splice(__VA_ARGS__)
#define tee(...) splicekit_tee(__VA_ARGS__)
#define vmsplice(...) splicekit_vmsplice(__VA_ARGS__)
#define sendfile(...) splicekit_sendfile(__VA_ARGS__)
#define socketpair(...) splicekit_socketpair(__VA_ARGS__)
#define fcntl(...) splicekit_fcntl(__VA_ARGS__)
#define ioctl(...) splicekit_ioctl(__VA_ARGS__)
#define signal(sig, handler) splicekit_signal(sig, handler)

#endif /* __wasi__ */
#endif /* SPLICEKIT_H */
