/**
 * Every code example in docs/ is copied from a region (between `// #region name` and
 * `// #endregion`) of this file or of another `*examples.test.ts` file beside it, and
 * `docs-examples.test.ts` checks that each docs block still matches its region word for word.
 * So the examples in the docs are code that runs and passes.
 */
import {
  createInMemoryNetwork,
  createNode,
  defineActor,
  type ExitReason,
  isWardenError,
  type Pid,
  reply,
  startSupervisor,
  supervisorChild,
  whichChildren,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

describe('docs examples', () => {
  it('counter (architecture.md)', async () => {
    // #region counter
    const counter = defineActor<number, number>({
      init: (start) => start,
      handleCall: (_request, _from, n) => reply(n, n),
      handleCast: (by: number, n) => n + by,
    });
    const node = createNode({ name: 'docs', clock: new TestClock() });
    const pid = node.spawn(counter, { args: 40 });
    node.cast(pid, 2);
    expect(await node.call(pid, 'get')).toBe(42);
    // #endregion
  });

  it('selective receive (architecture.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    // #region receive
    const pid = node.spawn(async (ctx) => {
      // Waits for 'go' even if other messages arrive first; they stay queued, in order.
      await ctx.receive((m) => m === 'go', { timeout: 1000 });
      const next = await ctx.receive();
      ctx.send('log', next);
    });
    // #endregion
    const log = new TestProbe(node);
    node.register('log', log.pid);
    node.send(pid, 'first');
    node.send(pid, 'go');
    expect(await log.expectMessage()).toBe('first');
  });

  it('supervision tree (supervision.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const worker = defineActor<string, string>({
      init: (name) => name,
      handleInfo: (message, name) => {
        if (message === 'crash') throw new Error(`${name} crashed`);
        return name;
      },
    });
    // #region tree
    const root = (await startSupervisor(node, {
      strategy: 'one_for_one',
      intensity: 3,
      period: 5000,
      children: [
        { id: 'cache', start: { behaviour: worker, args: 'cache' } },
        supervisorChild('workers', {
          strategy: 'rest_for_one',
          children: [
            { id: 'db', start: { behaviour: worker, args: 'db' } },
            { id: 'api', start: { behaviour: worker, args: 'api' }, restart: 'transient' },
          ],
        }),
      ],
    })) as Pid;
    const [cache] = await whichChildren(node, root);
    node.send(cache?.pid as Pid, 'crash'); // the root restarts 'cache' alone
    // #endregion
    await clock.settle();
    const [after] = await whichChildren(node, root);
    expect(after?.pid).not.toEqual(cache?.pid);
  });

  it('escalation (supervision.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const crashy = defineActor({
      handleInfo: () => {
        throw new Error('boom');
      },
    });
    // #region escalation
    const sup = (await startSupervisor(node, {
      intensity: 1, // OTP's default: 1 restart ...
      period: 5000, // ... within 5 s
      children: [{ id: 'w', start: { behaviour: crashy } }],
    })) as Pid;
    const probe = new TestProbe(node);
    probe.monitor(sup);
    for (let i = 0; i < 2; i++) {
      const [w] = await whichChildren(node, sup);
      node.send(w?.pid as Pid, 'crash');
      await clock.advance(1000);
    }
    // The second restart within 5 s exceeds the intensity: the supervisor exits `shutdown`.
    await probe.expectDown(sup, 'shutdown');
    // #endregion
  });

  it('links and trap-exit (links-and-monitors.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    // #region links
    const reasons: ExitReason[] = [];
    node.spawn(async (ctx) => {
      ctx.trapExit(true);
      const child = ctx.spawnLink(async () => {
        throw new Error('child failed');
      });
      const exit = await ctx.receive((m) => m instanceof Object && 'reason' in m);
      reasons.push((exit as { reason: ExitReason }).reason);
      ctx.unlink(child);
    });
    await clock.settle();
    expect(reasons[0]).toMatchObject({ tag: 'error', message: 'child failed' });
    // #endregion
  });

  it('monitors and calls (links-and-monitors.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    // #region monitors
    const server = node.spawn(async (ctx) => {
      await ctx.receive();
      ctx.exit({ tag: 'shutdown', detail: 'maintenance' });
    });
    const probe = new TestProbe(node);
    const ref = probe.monitor(server);
    const call = node.call(server, 'ping', { timeout: 1000 }).catch((e) => e);
    const down = await probe.expectDown(ref);
    expect(down.reason).toEqual({ tag: 'shutdown', detail: 'maintenance' });
    // The call monitored the server too: it rejects with the server's exit reason.
    const error = await call;
    expect(isWardenError(error, 'ERR_EXIT')).toBe(true);
    // #endregion
  });

  it('partition (links-and-monitors.md)', async () => {
    const clock = new TestClock();
    // #region partition
    const net = createInMemoryNetwork();
    const a = createNode({ name: 'a', clock, transport: net.transport() });
    const b = createNode({ name: 'b', clock, transport: net.transport() });
    const remote = b.spawn(async (ctx) => {
      await ctx.receive();
    });
    const probe = new TestProbe(a);
    probe.monitor(remote);
    const call = a.call(remote, 'hello', { timeout: 60_000 }).catch((e) => e);
    net.partition('a', 'b');
    await probe.expectDown(remote, 'noconnection'); // exactly once
    expect(isWardenError(await call, 'ERR_NODEDOWN')).toBe(true); // not a bare timeout
    // #endregion
  });
});
