// One member cannot answer for another: replies, DOWNs and demonitors are bound to the connection
// their monitor or call was made over (docs/security.md). Refs are predictable, so without this a
// member could settle a call made to a third node, or fake or cancel its monitors.
import { type CallRequest, defineActor, noreply, Pid } from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { KIND } from '../src/internal/envelope-wire.js';
import { nodeStarter, type TestNode } from './harness.js';
import { RawPeer } from './raw-peer.js';

const start = nodeStarter();

/** A server that keeps the calls it gets in `held` and answers the oldest when sent 'answer'. */
function holder(held: CallRequest[]) {
  return defineActor<null, void, unknown>({
    init: () => null,
    handleCall: (_request, from, state) => {
      held.push(from);
      return noreply(state);
    },
    handleInfo: (_message, state, ctx) => {
      const oldest = held.shift();
      if (oldest !== undefined) ctx.reply(oldest, 'genuine');
      return state;
    },
  });
}

async function trio(): Promise<{ clock: TestClock; a: TestNode; b: TestNode; z: RawPeer }> {
  const clock = new TestClock();
  const a = await start('a', clock);
  const b = await start('b', clock);
  await a.transport.connect(b.address);
  const z = await RawPeer.connect(a.address, { name: 'z' });
  return { clock, a, b, z };
}

const zPid = (z: RawPeer) => new Pid('z', z.incarnation, 1);

describe('refs bound to their connection', () => {
  it('drops a DOWN sent by one member for a monitor held on another node', async () => {
    const { clock, a, b, z } = await trio();
    const target = b.node.spawn(holder([]));
    const probe = new TestProbe(a.node);
    const ref = probe.monitor(target);
    await clock.settle();
    z.send(z.batch([[KIND.down, probe.pid, zPid(z), ref, 'killed']]));
    expect(await z.roundTrip()).toBe('open');
    await probe.expectNoMessage(100);
    expect(a.transport.stats().unboundRefs).toBe(1);
    b.node.exit(target, 'shutdown');
    expect((await probe.expectDown(ref)).reason).toBe('shutdown');
  });

  it('drops a reply sent by one member for a call made to another node', async () => {
    const { clock, a, b, z } = await trio();
    const held: CallRequest[] = [];
    const server = b.node.spawn(holder(held));
    const answer = a.node.call(server, 'question', { timeout: 60_000 });
    await clock.settle();
    const call = held[0] as CallRequest; // refs are predictable; the test just reads this one
    z.send(z.batch([[KIND.reply, call.from, call.ref, 'forged']]));
    expect(await z.roundTrip()).toBe('open');
    expect(a.transport.stats().unboundRefs).toBe(1);
    b.node.send(server, 'answer');
    expect(await answer).toBe('genuine');
  });

  it('drops a demonitor sent by one member for a monitor another node holds', async () => {
    const { clock, a, b, z } = await trio();
    const target = a.node.spawn(holder([]));
    const probe = new TestProbe(b.node);
    const ref = probe.monitor(target);
    await clock.settle();
    z.send(z.batch([[KIND.demonitor, target, zPid(z), ref]]));
    expect(await z.roundTrip()).toBe('open');
    expect(a.node.processInfo(target)?.monitoredBy).toHaveLength(1);
    a.node.exit(target, 'shutdown');
    expect((await probe.expectDown(ref)).reason).toBe('shutdown');
  });
});
