// Which of a program's own pages were rewritten while a pipe still
// referenced them: the 2006 double-buffering hazard. vmsplice without
// SPLICE_F_GIFT lends the page, it does not copy it (fs/splice.c,
// vmsplice_to_pipe), so a reader later gets whatever the page holds then.
// A page's bytes are recorded when it is first seen referenced (right after
// the vmsplice, before the program runs on); any later difference while it
// is still referenced is a rewrite. Once no reference is left, it is
// forgotten: mapping it again starts afresh.

import { isForeign } from '../spaces.js';
import type { LabState } from './state.js';

export class PageWatch {
  /** page → its bytes' hash when it was mapped. */
  private readonly mapped = new Map<number, number>();
  readonly rewritten = new Set<number>();

  update(state: LabState): void {
    const live = new Set<number>();
    for (const { page } of state.snapshot.pages) {
      if (!isForeign(page)) continue;
      live.add(page);
      const hash = state.contents.get(page)!;
      const was = this.mapped.get(page);
      if (was === undefined) this.mapped.set(page, hash);
      else if (was !== hash) this.rewritten.add(page);
    }
    for (const page of this.mapped.keys()) {
      if (live.has(page)) continue;
      this.mapped.delete(page);
      this.rewritten.delete(page);
    }
  }
}
