// The Wasm type of every function WasiHost offers a guest, as a module
// must import it: wasi_snapshot_preview1's from its witx (wasi-libc's
// api.h declares the same), the `splicekit` module's from GUEST_IMPORTS
// (every parameter an int, a size or a wasm32 pointer; every result an
// int). `splicekit exec` checks a program's imports against them before
// running it. test/wasi/load.test.ts checks them against host.imports().

import { GUEST_IMPORTS } from './splicekit.js';

/** A function type as `(i32, i64) -> i32`; `()` for no parameters or no result. */
export type Signature = string;

/** Renders a function type: `(i32, i64) -> i32`, `() -> ()`, `(i32) -> (i32, i32)`. */
export function signature(params: readonly string[], results: readonly string[]): Signature {
  const res = results.length === 1 ? results[0]! : `(${results.join(', ')})`;
  return `(${params.join(', ')}) -> ${res}`;
}

/** `i` is an i32 and `I` an i64 parameter; every preview 1 function returns an errno (i32) but proc_exit. */
const p1 = (params: string): Signature =>
  signature(
    [...params].map((c) => (c === 'I' ? 'i64' : 'i32')),
    ['i32'],
  );

export const PREVIEW1: Readonly<Record<string, Signature>> = {
  args_get: p1('ii'),
  args_sizes_get: p1('ii'),
  environ_get: p1('ii'),
  environ_sizes_get: p1('ii'),
  clock_res_get: p1('ii'),
  clock_time_get: p1('iIi'),
  fd_advise: p1('iIIi'),
  fd_allocate: p1('iII'),
  fd_close: p1('i'),
  fd_datasync: p1('i'),
  fd_fdstat_get: p1('ii'),
  fd_fdstat_set_flags: p1('ii'),
  fd_fdstat_set_rights: p1('iII'),
  fd_filestat_get: p1('ii'),
  fd_filestat_set_size: p1('iI'),
  fd_filestat_set_times: p1('iIIi'),
  fd_pread: p1('iiiIi'),
  fd_prestat_get: p1('ii'),
  fd_prestat_dir_name: p1('iii'),
  fd_pwrite: p1('iiiIi'),
  fd_read: p1('iiii'),
  fd_readdir: p1('iiiIi'),
  fd_renumber: p1('ii'),
  fd_seek: p1('iIii'),
  fd_sync: p1('i'),
  fd_tell: p1('ii'),
  fd_write: p1('iiii'),
  path_create_directory: p1('iii'),
  path_filestat_get: p1('iiiii'),
  path_filestat_set_times: p1('iiiiIIi'),
  path_link: p1('iiiiiii'),
  path_open: p1('iiiiiIIii'),
  path_readlink: p1('iiiiii'),
  path_remove_directory: p1('iii'),
  path_rename: p1('iiiiii'),
  path_symlink: p1('iiiii'),
  path_unlink_file: p1('iii'),
  poll_oneoff: p1('iiii'),
  proc_exit: signature(['i32'], []),
  proc_raise: p1('i'),
  sched_yield: p1(''),
  random_get: p1('ii'),
  sock_accept: p1('iii'),
  sock_recv: p1('iiiiii'),
  sock_send: p1('iiiii'),
  sock_shutdown: p1('ii'),
};

export const SPLICEKIT: Readonly<Record<string, Signature>> = Object.fromEntries(
  Object.entries(GUEST_IMPORTS).map(([name, { params }]) => [
    name,
    signature(
      params.map(() => 'i32'),
      ['i32'],
    ),
  ]),
);

/** Every function a guest may import, by module and name. */
export const HOST_FUNCTIONS: Readonly<Record<string, Readonly<Record<string, Signature>>>> = {
  wasi_snapshot_preview1: PREVIEW1,
  splicekit: SPLICEKIT,
};

/** The type of `module`.`name` that the host offers, or undefined (own properties only). */
export function hostSignature(module: string, name: string): Signature | undefined {
  if (!Object.hasOwn(HOST_FUNCTIONS, module)) return undefined;
  const fns = HOST_FUNCTIONS[module]!;
  return Object.hasOwn(fns, name) ? fns[name] : undefined;
}
