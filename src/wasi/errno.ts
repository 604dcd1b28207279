// WASI preview 1 `errno` values (witx `$errno`) and the mapping from the
// Linux errno a kernel call fails with: by name, so an errno the kernel
// learns later maps without touching this file.

import { ERRNO, type ErrnoName } from '../errors.js';

/** witx `$errno` cases in order: the index is the value. */
const WASI_NAMES = `SUCCESS 2BIG ACCES ADDRINUSE ADDRNOTAVAIL AFNOSUPPORT AGAIN ALREADY BADF BADMSG BUSY CANCELED
  CHILD CONNABORTED CONNREFUSED CONNRESET DEADLK DESTADDRREQ DOM DQUOT EXIST FAULT FBIG HOSTUNREACH IDRM ILSEQ
  INPROGRESS INTR INVAL IO ISCONN ISDIR LOOP MFILE MLINK MSGSIZE MULTIHOP NAMETOOLONG NETDOWN NETRESET NETUNREACH
  NFILE NOBUFS NODEV NOENT NOEXEC NOLCK NOLINK NOMEM NOMSG NOPROTOOPT NOSPC NOSYS NOTCONN NOTDIR NOTEMPTY
  NOTRECOVERABLE NOTSOCK NOTSUP NOTTY NXIO OVERFLOW OWNERDEAD PERM PIPE PROTO PROTONOSUPPORT PROTOTYPE RANGE ROFS
  SPIPE SRCH STALE TIMEDOUT TXTBSY XDEV NOTCAPABLE`.split(/\s+/);
const WASI = new Map(WASI_NAMES.map((name, i) => [name, i]));

/** wasi_snapshot_preview1 `errno` values used by the host itself. */
export const E = {
  SUCCESS: 0,
  AGAIN: 6,
  BADF: 8,
  FAULT: 21,
  ILSEQ: 25,
  INVAL: 28,
  IO: 29,
  ISDIR: 31,
  NAMETOOLONG: 37,
  NOENT: 44,
  NOSYS: 52,
  NOTDIR: 54,
  NOTSOCK: 57,
  NOTSUP: 58,
  PIPE: 64,
  NOTCAPABLE: 76,
} as const;

/**
 * Linux names whose WASI case is spelled differently; ENODATA and
 * ESOCKTNOSUPPORT have none (EIO and ENOTSUP are nearest).
 */
const RENAMED: Partial<Record<ErrnoName, string>> = { EOPNOTSUPP: 'NOTSUP', ENODATA: 'IO', ESOCKTNOSUPPORT: 'NOTSUP' };

const FROM_LINUX = new Map<number, number>(
  (Object.entries(ERRNO) as [ErrnoName, number][]).map(([name, n]) => [n, WASI.get(RENAMED[name] ?? name.slice(1)) ?? E.IO]),
);

/** The WASI errno for a Linux errno (EIO for one WASI cannot name). */
export function wasiErrno(linuxErrno: number): number {
  return FROM_LINUX.get(linuxErrno) ?? E.IO;
}

/** A failure the host finds itself (not the kernel): its WASI and Linux errno. */
export class WasiError extends Error {
  constructor(
    readonly wasi: number,
    readonly linux: number = ERRNO.EINVAL,
  ) {
    super(`errno ${wasi} (Linux ${linux})`);
    this.name = 'WasiError';
  }
}

/** For tests: the WASI name of every Linux errno the kernel has. */
export function unmappedErrnos(): string[] {
  return (Object.keys(ERRNO) as ErrnoName[]).filter((n) => !RENAMED[n] && !WASI.has(n.slice(1)));
}
