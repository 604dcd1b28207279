// Linux constants (x86_64/generic values) used by the syscall API.

export const PAGE_SIZE = 4096;
/** include/linux/pipe_fs_i.h: PIPE_DEF_BUFFERS */
export const PIPE_DEF_BUFFERS = 16;
/** include/uapi/linux/limits.h */
export const PIPE_BUF = 4096;
/** fs/pipe.c: pipe_max_size default (sysctl fs.pipe-max-size) */
export const PIPE_MAX_SIZE = 1048576;
/** include/linux/fs.h: MAX_RW_COUNT = INT_MAX & PAGE_MASK */
export const MAX_RW_COUNT = 0x7ffff000;
/** include/uapi/linux/uio.h */
export const UIO_MAXIOV = 1024;

// open(2) / fcntl(2) status flags
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_ACCMODE = 3;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
/** O_ASYNC: signal-driven I/O, set only by a file's fasync operation (fcntl F_SETFL). */
export const FASYNC = 0o20000;
export const O_DIRECT = 0o40000;
export const O_NOATIME = 0o1000000;
export const O_CLOEXEC = 0o2000000;

// splice(2) flags, include/linux/splice.h
export const SPLICE_F_MOVE = 0x1;
export const SPLICE_F_NONBLOCK = 0x2;
export const SPLICE_F_MORE = 0x4;
export const SPLICE_F_GIFT = 0x8;
export const SPLICE_F_ALL = 0xf;

// fcntl(2) commands
export const F_DUPFD = 0;
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const F_DUPFD_CLOEXEC = 1030;
/** The one descriptor flag (F_GETFD/F_SETFD). */
export const FD_CLOEXEC = 1;
export const F_SETPIPE_SZ = 1031;
export const F_GETPIPE_SZ = 1032;

// lseek(2)
export const SEEK_SET = 0;
export const SEEK_CUR = 1;
export const SEEK_END = 2;

// poll(2)
export const POLLIN = 0x1;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;

// ioctl(2)
export const FIONREAD = 0x541b;

// socketpair(2) types and the flags its type argument may carry, include/linux/net.h
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
/** AF_UNIX takes it as SOCK_DGRAM (unix_create). */
export const SOCK_RAW = 3;
export const SOCK_SEQPACKET = 5;
/** Types at or past SOCK_MAX are EINVAL in __sock_create(). */
export const SOCK_MAX = 11;
export const SOCK_TYPE_MASK = 0xf;
export const SOCK_NONBLOCK = O_NONBLOCK;
export const SOCK_CLOEXEC = O_CLOEXEC;
