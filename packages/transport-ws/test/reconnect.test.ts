// Reconnection with capped exponential backoff and jitter on the node's clock, and no leaked
// sockets, timers or listeners across connect/disconnect cycles.
import type { NodeEvent } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import type { WsTransportEvent } from '../src/index.js';
import { nodeStarter, until } from './harness.js';
import { MANY_HANDSHAKES } from './limits.js';

const start = nodeStarter();
const RECONNECT = { initial: 100, max: 1000, factor: 2, jitter: 0.2 };

/** Open TCP sockets and servers, and Node timers, of this process. */
function handles(): { sockets: number; servers: number; timeouts: number } {
  const info = process.getActiveResourcesInfo();
  return {
    sockets: info.filter((r) => r === 'TCPSocketWrap' || r === 'TLSWrap').length,
    servers: info.filter((r) => r === 'TCPServerWrap').length,
    timeouts: info.filter((r) => r === 'Timeout').length,
  };
}

/** Handles may be fewer than at the baseline (a previous test's server finishing) but never more. */
function expectNoGrowth(baseline: ReturnType<typeof handles>): void {
  const now = handles();
  expect(now.sockets).toBeLessThanOrEqual(baseline.sockets);
  expect(now.servers).toBeLessThanOrEqual(baseline.servers);
  expect(now.timeouts).toBeLessThanOrEqual(baseline.timeouts);
}

describe('reconnection', () => {
  it('redials a lost peer with capped exponential backoff on the node clock', async () => {
    const clock = new TestClock();
    const failures: number[] = [];
    const onEvent = (e: WsTransportEvent) => {
      if (e.type === 'dial.failed') failures.push(clock.now());
    };
    const a = await start('a', clock, { reconnect: RECONNECT, random: () => 0.5, onEvent });
    const b = await start('b', clock);
    await a.transport.connect(b.address);
    b.transport.block('a'); // b drops a and refuses it (403) until unblocked
    await until(() => a.node.nodes().length === 0, 'a to see the drop');
    const lostAt = clock.now();
    for (let i = 0; i < 8; i++) await clock.advanceToNext();
    // Each delay is the capped doubling shortened by jitter * 0.5 = 10% (1-based attempts).
    expect(failures.map((t) => t - lostAt)).toEqual([90, 270, 630, 1350, 2250, 3150, 4050, 4950]);
    b.transport.unblock('a'); // b never dials a (a < b): a's next attempt must succeed
    await clock.advance(1000);
    expect(a.node.nodes()).toEqual(['b']);
    expect(a.transport.stats().reconnects).toBe(9);
  });

  it('spreads redials with jitter so that peers do not redial in lockstep', async () => {
    const clock = new TestClock();
    const times: number[][] = [[], []];
    const draws = [() => 0.05, () => 0.95];
    const b = await start('b', clock);
    for (const [i, random] of draws.entries()) {
      const onEvent = (e: WsTransportEvent) => {
        if (e.type === 'dial.failed') times[i]?.push(clock.now());
      };
      const x = await start(`a${i}`, clock, { reconnect: RECONNECT, random, onEvent });
      await x.transport.connect(b.address);
      b.transport.block(`a${i}`);
    }
    for (let i = 0; i < 6; i++) await clock.advanceToNext();
    expect(times[0]?.[0]).toBe(99);
    expect(times[1]?.[0]).toBe(81);
  });

  it('reports one node.down and one node.up per lost connection across 20 cycles, leaking nothing', async () => {
    const clock = new TestClock();
    const a = await start('a', clock, { reconnect: RECONNECT, handshakeLimits: MANY_HANDSHAKES });
    const b = await start('b', clock, { handshakeLimits: MANY_HANDSHAKES });
    const seen: string[] = [];
    a.node.inspect((e: NodeEvent) => {
      if (e.type === 'node.up' || e.type === 'node.down') seen.push(e.type);
    });
    await a.transport.connect(b.address);
    await clock.settle();
    const baseline = {
      handles: handles(),
      timers: clock.pendingTimers,
      exitListeners: process.listenerCount('exit'),
    };
    for (let i = 0; i < 20; i++) {
      b.transport.disconnect('a');
      await until(() => a.node.nodes().length === 0, 'the drop');
      await clock.advance(RECONNECT.max);
      expect(a.node.nodes()).toEqual(['b']);
    }
    await until(
      () => handles().sockets <= baseline.handles.sockets,
      'closed sockets to be released',
    );
    expectNoGrowth(baseline.handles);
    expect(clock.pendingTimers).toBe(baseline.timers);
    expect(process.listenerCount('exit')).toBe(baseline.exitListeners);
    expect(seen).toEqual([
      'node.up',
      ...Array.from({ length: 20 }, () => ['node.down', 'node.up']).flat(),
    ]);
  });

  it('releases every socket, server and timer when nodes come and go 20 times', async () => {
    const clock = new TestClock();
    const a = await start('a', clock);
    await clock.settle();
    const baseline = handles();
    const timers = clock.pendingTimers;
    for (let i = 0; i < 20; i++) {
      const c = await start(`c${i}`, clock);
      await c.transport.connect(a.address);
      await clock.advance(2500);
      await c.node.stop();
      await c.transport.close();
      expect(a.node.nodes()).toEqual([]);
    }
    await until(() => handles().sockets <= baseline.sockets, 'closed sockets to be released');
    expectNoGrowth(baseline);
    expect(clock.pendingTimers).toBe(timers);
  });

  it('does not redial a peer that left (LEAVE), and forgets nothing else', async () => {
    const clock = new TestClock();
    const a = await start('a', clock, { reconnect: RECONNECT, handshakeLimits: MANY_HANDSHAKES });
    const b = await start('b', clock, { handshakeLimits: MANY_HANDSHAKES });
    await a.transport.connect(b.address);
    await b.node.stop();
    await clock.advance(60_000);
    expect(a.node.nodes()).toEqual([]);
    expect(a.transport.stats().reconnects).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
