// wasi_snapshot_preview1 types (witx names) the host encodes: flags, enums,
// rights, and the byte layouts of the structs it reads and writes.

/** `filetype` */
export const FILETYPE = {
  UNKNOWN: 0,
  CHARACTER_DEVICE: 2,
  DIRECTORY: 3,
  REGULAR_FILE: 4,
  SOCKET_DGRAM: 5,
  SOCKET_STREAM: 6,
} as const;

/** `fdflags` */
export const FDFLAGS = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;

/** `oflags` */
export const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;

/** `whence` (same numbers as Linux SEEK_*) */
export const WHENCE_MAX = 2;

/** `clockid` */
export const CLOCK = { REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME_ID: 2, THREAD_CPUTIME_ID: 3 } as const;

/** `eventtype` */
export const EVENTTYPE = { CLOCK: 0, FD_READ: 1, FD_WRITE: 2 } as const;

/** `eventrwflags` */
export const EVENTRW_HANGUP = 1;

/** `subclockflags` */
export const SUBCLOCK_ABSTIME = 1;

/** `preopentype` */
export const PREOPENTYPE_DIR = 0;

/** `rights`: bit n is the witx flag n. */
export const RIGHTS = {
  FD_DATASYNC: 1n << 0n,
  FD_READ: 1n << 1n,
  FD_SEEK: 1n << 2n,
  FD_FDSTAT_SET_FLAGS: 1n << 3n,
  FD_SYNC: 1n << 4n,
  FD_TELL: 1n << 5n,
  FD_WRITE: 1n << 6n,
  FD_ADVISE: 1n << 7n,
  FD_ALLOCATE: 1n << 8n,
  PATH_CREATE_FILE: 1n << 10n,
  PATH_OPEN: 1n << 13n,
  FD_READDIR: 1n << 14n,
  PATH_FILESTAT_GET: 1n << 18n,
  FD_FILESTAT_GET: 1n << 21n,
  PATH_UNLINK_FILE: 1n << 26n,
  POLL_FD_READWRITE: 1n << 27n,
  SOCK_SHUTDOWN: 1n << 28n,
} as const;
/** Every right (bits 0..29): what a directory hands to files opened through it. */
export const ALL_RIGHTS = (1n << 30n) - 1n;

/** Struct sizes and field offsets (wasi/api.h _Static_asserts). */
export const FDSTAT = { SIZE: 24, FILETYPE: 0, FLAGS: 2, RIGHTS_BASE: 8, RIGHTS_INHERITING: 16 } as const;
export const FILESTAT = { SIZE: 64, DEV: 0, INO: 8, FILETYPE: 16, NLINK: 24, FILESIZE: 32, ATIM: 40, MTIM: 48, CTIM: 56 } as const;
export const PRESTAT = { SIZE: 8, TAG: 0, NAME_LEN: 4 } as const;
/** `subscription`: userdata, then `subscription_u` (tag at +8, body at +16). */
export const SUBSCRIPTION = { SIZE: 48, USERDATA: 0, TAG: 8, FD: 16, CLOCK_ID: 16, TIMEOUT: 24, PRECISION: 32, FLAGS: 40 } as const;
/** `event` */
export const EVENT = { SIZE: 32, USERDATA: 0, ERROR: 8, TYPE: 10, NBYTES: 16, FLAGS: 24 } as const;
