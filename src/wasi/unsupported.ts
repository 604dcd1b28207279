// The rest of wasi_snapshot_preview1: calls the kernel has no operation
// for. They answer ENOSYS (never trap), so a guest can fall back.

import { E } from './errno.js';

/** witx function names of wasi_snapshot_preview1 this host does not implement. */
export const UNSUPPORTED = [
  'fd_advise',
  'fd_allocate',
  'fd_fdstat_set_rights',
  'fd_filestat_set_size',
  'fd_filestat_set_times',
  'fd_readdir',
  'path_create_directory',
  'path_filestat_set_times',
  'path_link',
  'path_readlink',
  'path_remove_directory',
  'path_rename',
  'path_symlink',
  'proc_raise',
  'sock_accept',
  'sock_shutdown',
] as const;

export function unsupportedCalls(): Record<(typeof UNSUPPORTED)[number], () => number> {
  return Object.fromEntries(UNSUPPORTED.map((name) => [name, () => E.NOSYS])) as Record<(typeof UNSUPPORTED)[number], () => number>;
}
