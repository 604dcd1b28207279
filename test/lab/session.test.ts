// The lab's model without a browser: the stepper agrees with runTrace, the
// lessons give Linux's recorded output, and steps are classified as the
// drawing shows them (moved, cloned, mapped, copied).

import { describe, expect, it } from 'vitest';
import { Kernel } from '../../src/kernel.js';
import { parseExpected } from '../../src/lab/compare.js';
import { LabSession } from '../../src/lab/session.js';
import { summarizeStep } from '../../src/lab/summary.js';
import { isExtension, parseTrace } from '../../src/trace/parse.js';
import { runTrace } from '../../src/trace/run.js';
import { TraceStepper } from '../../src/trace/step.js';
import { recordedTraces } from '../support/traces.js';
import { lesson, readLessons } from './lessons.js';

const output = (s: LabSession) => s.steps.map((st) => `${st.output}\n`).join('');

describe('TraceStepper', () => {
  it('prints what runTrace prints, for every recorded trace', () => {
    for (const t of recordedTraces()) {
      const ops = parseTrace(t.source, t.path);
      const a = new Kernel();
      const b = new Kernel();
      const stepper = new TraceStepper(ops, b);
      const stepped = stepper.run().map((r) => r.output);
      expect(stepped, t.path).toEqual(runTrace(ops, a));
      expect(stepper.done).toBe(true);
      expect(stepper.step()).toBeUndefined();
      a.destroy();
      b.destroy();
    }
  });
});

describe('lessons', () => {
  const lessons = readLessons();

  it('has the seven lessons, each with Linux output and an explanation', () => {
    expect(lessons.map((l) => l.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const l of lessons) {
      expect(l.expected, l.id).not.toBe('');
      expect(l.html, l.id).toContain('<h3>');
    }
  });

  for (const l of lessons) {
    it(`${l.id} gives Linux's recorded output`, () => {
      const s = new LabSession(l.trace, `${l.id}.trace`, false);
      s.run();
      // A lesson with extensions has Linux's output for the lines before the first one, and only those.
      const first = s.ops.findIndex(isExtension);
      const linuxPart = first < 0 ? s.steps : s.steps.slice(0, first);
      expect(linuxPart.map((st) => `${st.output}\n`).join(''), l.id).toBe(l.expected);
      if (first < 0) expect(output(s)).toBe(l.expected);
      s.dispose();
    });
  }

  it('only lesson 7 uses extensions, and the plain trace format rejects it', () => {
    for (const l of lessons) {
      const ext = parseTrace(l.trace, l.id, { extensions: true }).some(isExtension);
      expect(ext, l.id).toBe(l.number === 7);
      if (!ext) expect(parseTrace(l.trace, l.id)).toEqual(parseTrace(l.trace, l.id, { extensions: true }));
    }
    expect(() => parseTrace(lesson(7).trace, 'l7')).toThrow(/unknown operation 'notifyfd'/);
  });

  it('Dirty Pipe in 5.16 mode overwrites the read-only file, and differs from Linux only there', () => {
    const l = lesson(6);
    const s = new LabSession(l.trace, 'dirty.trace', true);
    s.run();
    const linux = parseExpected(l.expected);
    const differing = s.steps.filter((st) => linux.get(st.line) !== st.result);
    expect(differing.map((st) => [st.line, st.result])).toEqual([[17, '15 "rHACKED0:0:root"']]);
    const write = s.steps.find((st) => st.text === 'write p.w "HACKED"')!;
    const filePage = write.after.snapshot.files[0]!.pages[0]!;
    expect(write.changes.pages.get(filePage)?.kind).toBe('copied');
    expect(summarizeStep(write).join(' ')).toContain('changed file secret.txt');
    s.dispose();
  });
});

describe('what each step did to pages', () => {
  it('tee clones a reference, splice moves it, read copies out', () => {
    const s = new LabSession(lesson(2).trace, 'tee.trace', false);
    s.goTo(4);
    const tee = s.steps[3]!;
    expect(tee.text).toBe('tee a.r b.w 100 0');
    const [change] = [...tee.changes.pages.values()];
    expect(change).toMatchObject({ kind: 'cloned', refsBefore: 1, refsAfter: 2 });
    s.goTo(7);
    const splice = s.steps[6]!;
    expect([...splice.changes.pages.values()]).toMatchObject([{ kind: 'moved', refsBefore: 1, refsAfter: 1 }]);
    s.step();
    const read = s.steps[7]!;
    expect([...read.changes.pages.values()]).toMatchObject([{ kind: 'copied', direction: 'out', refsAfter: 0 }]);
    expect(read.changes.freed).toHaveLength(1);
    s.dispose();
  });

  it('splice from a file shares the page-cache page; write copies into a new page', () => {
    const s = new LabSession(lesson(1).trace, 'splice.trace', false);
    s.goTo(2);
    expect([...s.steps[1]!.changes.pages.values()]).toMatchObject([{ kind: 'copied', direction: 'in', fresh: true }]);
    s.goTo(4);
    const splice = s.steps[3]!;
    expect([...splice.changes.pages.values()]).toMatchObject([{ kind: 'cloned', refsAfter: 2 }]);
    expect(splice.after.snapshot.pages.find((p) => p.page === [...splice.changes.pages.keys()][0])?.holders).toEqual(
      expect.arrayContaining(['file src.txt page 0']),
    );
    s.dispose();
  });

  it('vmsplice maps the buffer pages; a later fill copies into the page the pipe holds', () => {
    const s = new LabSession(lesson(3).trace, 'vm.trace', false);
    s.goTo(6);
    const kinds = [...s.steps[5]!.changes.pages.values()].map((c) => c.kind);
    expect(kinds).toEqual(['mapped', 'mapped']);
    s.goTo(16);
    const fill = s.steps[15]!;
    expect(fill.text).toBe('fill b 0 "OOPS!!"');
    expect([...fill.changes.pages.values()]).toMatchObject([{ kind: 'copied', direction: 'in' }]);
    expect(summarizeStep(fill).join(' ')).toContain('its reader will see the new bytes');
    s.dispose();
  });

  it('going back replays to the same state', () => {
    const s = new LabSession(lesson(4).trace, 'size.trace', false);
    s.run();
    const all = output(s);
    const step21 = s.steps[20]!.after.snapshot;
    s.goTo(20);
    expect(s.position).toBe(20);
    expect(s.step()!.after.snapshot).toEqual(step21);
    s.goTo(20);
    s.back();
    expect(s.position).toBe(19);
    s.run();
    expect(output(s)).toBe(all);
    s.goTo(0);
    expect(s.state.snapshot.rings).toEqual([]);
    s.dispose();
  });
});

describe('lesson 7: when is my page free?', () => {
  const at = (s: LabSession, line: number) => s.steps.find((st) => st.line === line)!;
  const textAt = (s: LabSession, text: string) => s.steps.find((st) => st.text === text)!;

  it('runs as runTrace runs it on a plain kernel', () => {
    const l = lesson(7);
    const s = new LabSession(l.trace, 'l7', false);
    s.run();
    const k = new Kernel();
    expect(s.steps.map((st) => st.output)).toEqual(runTrace(parseTrace(l.trace, 'l7', { extensions: true }), k));
    k.destroy();
    s.dispose();
  });

  it('the 2006 rule holds through one pipe and breaks through two', () => {
    const s = new LabSession(lesson(7).trace, 'l7', false);
    s.run();
    expect(at(s, 10).result).toBe('-EAGAIN');
    expect(at(s, 15).result).toBe('8 "B: msg 2"');
    // splice moved A's page on to q: p is empty, so B went in; the refill reaches q's reader.
    const splice = at(s, 19);
    expect([...splice.changes.pages.values()]).toMatchObject([{ kind: 'moved', refsBefore: 2, refsAfter: 2 }]);
    expect(at(s, 21).result).toBe('8');
    expect(summarizeStep(at(s, 23)).join(' ')).toContain('its reader will see the new bytes');
    expect(at(s, 24).result).toBe('8 "A: msg 5"');
    s.dispose();
  });

  it('the notification waits for the reader of the second pipe', () => {
    const s = new LabSession(lesson(7).trace, 'l7', false);
    s.run();
    expect([30, 33, 34, 35, 36, 37, 41].map((line) => at(s, line).result)).toEqual(['8 id=0', '8 id=1', 'no', '8 "A: msg 6"', 'yes', 'IN', 'yes']);
    const before = at(s, 34).after.notify[0]!;
    expect(before.ids.map((t) => [t.id, t.released])).toEqual([
      [0, false],
      [1, false],
    ]);
    expect(summarizeStep(at(s, 34)).join(' ')).toMatch(/Id 0 is not released yet: page \d+ is still in pipe q slot 1/);
    expect(summarizeStep(at(s, 35)).join(' ')).toContain('id 0 (line 30) is released');
    expect(at(s, 35).after.notify[0]!.pending).toBe(true);
    expect(at(s, 38).after.notify[0]!.pending).toBe(false);
    s.dispose();
  });

  it('a TCP-like socket keeps the page in its unacked ring until the ACK arrives', () => {
    const s = new LabSession(lesson(7).trace, 'l7', false);
    s.run();
    const sent = textAt(s, 'splice p.r - s.a - 100 NONBLOCK');
    const [u] = sent.after.unacked;
    expect(u).toMatchObject({ ackDelay: 10, senderFd: sent.after.fdNames.get('s.a') });
    const page = sent.after.snapshot.rings.find((r) => r.ring === u!.ring)!.slots[0]!.page;
    const refs = (st: typeof sent) => st.after.snapshot.pages.find((p) => p.page === page)?.refs;
    const holders = (st: typeof sent) => st.after.snapshot.pages.find((p) => p.page === page)?.holders;
    expect(holders(sent)).toEqual(expect.arrayContaining([`ring ${u!.ring} slot 0`]));
    expect(refs(sent)).toBe(3);
    const read = at(s, 49);
    expect(read.result).toBe('8 "A: msg 8"');
    expect(refs(read)).toBe(2);
    expect([50, 51, 52, 53, 54].map((line) => at(s, line).result)).toEqual(['no', '0', 'no', '0', 'yes']);
    expect(refs(at(s, 52))).toBe(2);
    const ack = at(s, 53);
    expect(ack.after.clock).toBe(10);
    expect(refs(ack)).toBe(1);
    expect(ack.changes.pages.get(page)).toMatchObject({ kind: 'dropped', refsBefore: 2, refsAfter: 1 });
    expect(summarizeStep(ack).join(' ')).toContain(`Page ${page} is no longer in s.a unacked slot 0`);
    expect(ack.after.notify[0]!.ids.at(-1)).toMatchObject({ id: 2, released: true, pages: [page] });
    s.dispose();
  });
});
