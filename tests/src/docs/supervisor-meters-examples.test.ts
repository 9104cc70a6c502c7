/**
 * The metered-intensity example of docs/supervision.md, run as a test; `docs-examples.test.ts`
 * checks that the docs block still matches the region word for word.
 */
import { createNode, defineActor, type Pid, startSupervisor, whichChildren } from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

describe('docs examples: metered intensity', () => {
  it('meters (supervision.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    // #region meters
    // A worker that reports what each job costs it.
    const spender = defineActor({
      handleInfo: (job: { tokens: number }, state, ctx) => {
        ctx.report('tokens', job.tokens);
        return state;
      },
    });
    const sup = (await startSupervisor(node, {
      meters: [{ name: 'tokens', limit: 1_000, period: 3_600_000 }], // 1,000 tokens an hour
      children: [{ id: 'w', start: { behaviour: spender } }],
    })) as Pid;
    const probe = new TestProbe(node);
    probe.monitor(sup);
    const [w] = await whichChildren(node, sup);
    node.send(w?.pid as Pid, { tokens: 600 });
    node.send(w?.pid as Pid, { tokens: 600 }); // 1,200 within the hour: past the limit
    const down = await probe.expectDown(sup);
    // down.reason: { tag: 'shutdown',
    //   detail: { meter: 'tokens', limit: 1000, spent: 1200, period: 3600000 } }
    // #endregion
    expect(down.reason).toEqual({
      tag: 'shutdown',
      detail: { meter: 'tokens', limit: 1000, spent: 1200, period: 3_600_000 },
    });
  });
});
