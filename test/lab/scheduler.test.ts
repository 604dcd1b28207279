// The lab's scheduler without programs: tasks are async functions whose
// "calls" are attempts on a shared counter, so its policy shows plainly:
// one call a step, the last task runs on until a call would block (a step
// that says so), then the first task in order that can go on; blocked
// calls are retried silently; all blocked is a deadlock.

import { describe, expect, it } from 'vitest';
import { Scheduler, type Task, WAITS } from '../../src/lab/scheduler.js';

/** A task whose calls each go on when `can()` holds, doing `effect()`; it ends after its calls. */
function start(s: Scheduler, task: Task, calls: { name: string; can: () => boolean; effect?: () => void }[]): Promise<void> {
  return s.until(() => {
    void (async () => {
      for (const c of calls) {
        await s.call(task, {
          name: c.name,
          args: [],
          text: c.name,
          resultText: (r) => ` = ${r}`,
          attempt: () => {
            if (!c.can()) return WAITS;
            c.effect?.();
            return 0;
          },
        });
      }
      s.ended(task, 0);
    })();
  });
}

async function all(s: Scheduler): Promise<string[]> {
  const out: string[] = [];
  for (let st = await s.step(); st; st = await s.step()) out.push(`${st.task} ${st.text}`);
  return out;
}

describe('the lab scheduler', () => {
  it('runs the last task until a call would block, then the first task that can go on', async () => {
    const s = new Scheduler();
    let pipe = 0; // bytes in a one-slot "pipe"
    const w = s.add('writer');
    const r = s.add('reader');
    await start(s, w, [
      {
        name: 'write1',
        can: () => pipe === 0,
        effect: () => {
          pipe = 1;
        },
      },
      {
        name: 'write2',
        can: () => pipe === 0,
        effect: () => {
          pipe = 1;
        },
      },
    ]);
    await start(s, r, [
      {
        name: 'read1',
        can: () => pipe === 1,
        effect: () => {
          pipe = 0;
        },
      },
      {
        name: 'read2',
        can: () => pipe === 1,
        effect: () => {
          pipe = 0;
        },
      },
    ]);
    expect(await all(s)).toEqual([
      'writer write1 = 0',
      'writer write2 waits',
      // The reader runs on until it would block too.
      'reader read1 = 0',
      'reader read2 waits',
      // The first task in order that can go on: the writer's retried call.
      'writer write2 = 0',
      // The writer ended; the reader's retry goes on (a retry that fails again is no step).
      'reader read2 = 0',
    ]);
    expect(s.done).toBe(true);
    expect(s.deadlock).toBe(false);
    expect(s.tasks.map((t) => t.status)).toEqual([0, 0]);
  });

  it('says deadlock when every live task waits', async () => {
    const s = new Scheduler();
    const a = s.add('a');
    const b = s.add('b');
    await start(s, a, [{ name: 'never', can: () => false }]);
    await start(s, b, [{ name: 'never', can: () => false }]);
    expect(await all(s)).toEqual(['a never waits', 'b never waits']);
    expect(s.deadlock).toBe(true);
    expect(s.done).toBe(true);
  });
});
