// The machine's directory holds at most the pool's most pages less an
// eighth, as a tmpfs mounted with size= (mm/shmem.c): past it a file write
// or a splice into a file is ENOSPC, and pipes still get pages, so a
// program can still say so. Unlinking gives the room back.

import { describe, expect, it } from 'vitest';
import { kernel, outcome as code } from './support/kernels.js';
import { O_CREAT, O_RDWR, PAGE_SIZE, SEEK_SET, SPLICE_F_NONBLOCK } from '../src/index.js';

/** Writes 1 MiB pieces to `fd` until it fails: the bytes written and the error. */
function fill(k: ReturnType<typeof kernel>, fd: number): [number, string] {
  const piece = new Uint8Array(1 << 20).fill(0x5a);
  let total = 0;
  for (;;) {
    let n = 0;
    const c = code(() => {
      n = k.write(fd, piece);
    });
    if (c !== 'ok') return [total, c];
    total += n;
  }
}

describe('a full directory', () => {
  it('is ENOSPC for write and splice at the quota, with pages left for pipes; unlink gives them back', () => {
    const k = kernel({ pages: 1024 });
    const f = k.open('big', O_CREAT | O_RDWR);
    const [written, err] = fill(k, f);
    expect(err).toBe('ENOSPC');
    expect(written).toBe((1024 - 1024 / 8) * PAGE_SIZE);
    const [r, w] = k.pipe();
    expect(k.write(w, new Uint8Array(65536).fill(1))).toBe(65536);
    expect(code(() => k.splice(r, null, f, null, 65536, SPLICE_F_NONBLOCK))).toBe('ENOSPC');
    expect(k.read(r, 65536).length).toBe(65536);
    k.unlink('big');
    k.close(f);
    const g = k.open('again', O_CREAT | O_RDWR);
    expect(k.write(g, new Uint8Array(PAGE_SIZE))).toBe(PAGE_SIZE);
  });

  it('leaves a write that crosses the quota short, as a full disk does', () => {
    const k = kernel({ pages: 64 });
    const f = k.open('f', O_CREAT | O_RDWR);
    expect(k.write(f, new Uint8Array(100 * PAGE_SIZE))).toBe(56 * PAGE_SIZE);
    expect(code(() => k.write(f, new Uint8Array(1)))).toBe('ENOSPC');
    // Rewriting pages the file has takes none.
    k.lseek(f, 0, SEEK_SET);
    expect(k.write(f, new Uint8Array(PAGE_SIZE))).toBe(PAGE_SIZE);
  });
});
