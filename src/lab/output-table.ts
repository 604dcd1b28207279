// The output beside the trace: one row per operation with the emulator's
// result once it has run and Linux's recorded result, differences marked.
// Each row's button jumps to just after that step.

import { isExtension } from '../trace/parse.js';
import { verdict, type Verdict } from './compare.js';
import type { LabSession } from './session.js';

const MARKS: Record<Verdict, { text: string; label: string }> = {
  same: { text: '=', label: 'same as Linux' },
  differs: { text: '≠', label: 'differs from Linux' },
  'expected-difference': { text: '≠ 5.16', label: 'differs from Linux, as expected in 5.16 mode (the recording is from a fixed kernel)' },
  extension: { text: 'ext', label: 'a splicekit extension, not a Linux call: Linux cannot run it' },
  none: { text: '', label: '' },
};

export function renderOutput(tbody: HTMLTableSectionElement, s: LabSession, linux: Map<number, string> | undefined, onJump: (n: number) => void): void {
  const rows = s.ops.map((op, i) => {
    const step = s.steps[i];
    const tr = document.createElement('tr');
    tr.dataset.line = String(op.line);
    tr.dataset.step = String(i + 1);
    const state = step ? (i + 1 === s.position ? 'current' : 'done') : i === s.position ? 'next' : 'pending';
    tr.className = state;
    if (state === 'current') tr.setAttribute('aria-current', 'step');
    const go = document.createElement('button');
    go.type = 'button';
    go.className = 'jump';
    go.textContent = String(i + 1);
    go.setAttribute('aria-label', `Go to after step ${i + 1} (line ${op.line})`);
    go.addEventListener('click', () => onJump(i + 1));
    const ext = isExtension(op);
    const linuxResult = ext ? undefined : linux?.get(op.line);
    const v = ext && linux ? 'extension' : step ? verdict(step.result, linuxResult, s.dirtyPipe) : 'none';
    tr.dataset.verdict = v;
    // A recording stops where a lesson starts using extensions: later Linux calls have none.
    const linuxCell = ext ? 'not a Linux call' : linux && linuxResult === undefined ? 'not recorded' : (linuxResult ?? '');
    const cells: (Node | string)[] = [go, String(op.line), (s.lines[op.line - 1] ?? '').trim(), step?.result ?? (state === 'next' ? 'next' : ''), linuxCell];
    for (const [c, content] of cells.entries()) {
      const td = document.createElement('td');
      td.className = ['go', 'line', 'op', 'emu', 'linux'][c]!;
      if (c === 4 && linuxResult === undefined && linux) td.classList.add('no-result');
      td.append(content);
      tr.appendChild(td);
    }
    const mark = document.createElement('td');
    mark.className = `mark ${v}`;
    if (MARKS[v].label) {
      // The symbol is for the eye; screen readers get the words.
      const sym = document.createElement('span');
      sym.setAttribute('aria-hidden', 'true');
      sym.textContent = MARKS[v].text;
      const words = document.createElement('span');
      words.className = 'visually-hidden';
      words.textContent = MARKS[v].label;
      mark.title = MARKS[v].label;
      mark.append(sym, words);
    }
    tr.appendChild(mark);
    return tr;
  });
  tbody.replaceChildren(...rows);
}

/** Scrolls the output box (not the page) so the current or next row shows. */
export function revealCurrentRow(box: HTMLElement): void {
  const row = box.querySelector<HTMLElement>('tr.current') ?? box.querySelector<HTMLElement>('tr.next');
  if (!row) return;
  const head = box.querySelector('thead')?.getBoundingClientRect().height ?? 0;
  const top = row.offsetTop - head;
  if (top < box.scrollTop || row.offsetTop + row.offsetHeight > box.scrollTop + box.clientHeight) {
    box.scrollTop = Math.max(0, top - box.clientHeight / 3);
  }
}
