// Failure detection on the node's clock (docs/semantics.md items 55, 56): a closed socket is a
// lost peer at once; a silent one is lost after the heartbeat timeout; each loss is reported once.
import { type Clock, type NodeEvent, Pid } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { nodeStarter, untilNodes } from './harness.js';
import { RawPeer } from './raw-peer.js';

const HEARTBEAT = { heartbeatInterval: 1000, heartbeatTimeout: 3000 };
const start = nodeStarter();

function nodeEvents(node: { inspect(o: (e: NodeEvent) => void): () => void }): string[] {
  const seen: string[] = [];
  node.inspect((e) => {
    if (e.type === 'node.up' || e.type === 'node.down') seen.push(`${e.type} ${e.node}`);
  });
  return seen;
}

describe('heartbeats (items 55, 56)', () => {
  it('declares a silent peer down after the heartbeat timeout, on the node clock, exactly once', async () => {
    const clock = new TestClock();
    const a = await start('a', clock, HEARTBEAT);
    const seen = nodeEvents(a.node);
    const hung = await RawPeer.connect(a.address, { name: 'hung', autoAck: false });
    await untilNodes(a.node, (peers) => peers.includes('hung'), 'hung to connect');
    await clock.advance(3000);
    expect(a.node.nodes()).toEqual(['hung']);
    await clock.advance(1000);
    expect(a.node.nodes()).toEqual([]);
    expect((await hung.closed).code).toBe(1006);
    await clock.advance(60_000);
    expect(seen).toEqual(['node.up hung', 'node.down hung']);
  });

  it('declares a peer down at once when its socket closes, without time passing', async () => {
    const clock = new TestClock();
    const a = await start('a', clock, HEARTBEAT);
    const seen = nodeEvents(a.node);
    const peer = await RawPeer.connect(a.address, { name: 'gone' });
    await untilNodes(a.node, (peers) => peers.includes('gone'), 'gone to connect');
    peer.close();
    await untilNodes(a.node, (peers) => peers.length === 0, 'the close to be seen');
    expect(clock.now()).toBe(0);
    await clock.advance(10_000);
    expect(seen).toEqual(['node.up gone', 'node.down gone']);
  });

  it('keeps two live nodes connected through ten minutes of virtual time', async () => {
    const clock = new TestClock();
    const a = await start('a', clock, HEARTBEAT);
    const b = await start('b', clock, HEARTBEAT);
    const seen = nodeEvents(a.node);
    await a.transport.connect(b.address);
    const framesBefore = a.transport.stats().framesOut;
    await clock.advance(600_000);
    expect(seen).toEqual(['node.up b']);
    expect(a.node.nodes()).toEqual(['b']);
    // One heartbeat per interval went out.
    expect(a.transport.stats().framesOut - framesBefore).toBeGreaterThanOrEqual(600);
  });

  it('sends heartbeats to a saturated peer while its sends are refused (never starved)', async () => {
    // A peer that reads nothing never acknowledges, so the transport must not be a TestClock
    // settle participant here (settling would wait for it): the node gets the clock untracked.
    const clock = new TestClock();
    const a = await start('a', untracked(clock), {
      heartbeatInterval: 50,
      heartbeatTimeout: 5000,
      highWaterMark: 64 * 1024,
    });
    const stalled = await RawPeer.connect(a.address, { name: 'stalled' });
    await untilNodes(a.node, (peers) => peers.includes('stalled'), 'stalled to connect');
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const to = new Pid('stalled', stalled.incarnation, 1);
    const chunk = 'x'.repeat(32 * 1024);
    for (let i = 0; i < 4000 && a.node.deadLetters.countOf('backpressure') === 0; i++) {
      a.node.send(to, chunk);
      if (i % 16 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(a.node.deadLetters.countOf('backpressure')).toBeGreaterThan(0);
    expect(a.transport.stats().refused).toBeGreaterThan(0);
    const framesBefore = a.transport.stats().framesOut;
    // Three heartbeat intervals on the node's clock: three heartbeats go out, refused data or not.
    await clock.advance(150);
    expect(a.transport.stats().framesOut - framesBefore).toBeGreaterThanOrEqual(3);
    expect(a.node.nodes()).toEqual(['stalled']);
    stalled.close();
  });
});

/** The same clock without `track`, so nothing registers to be waited for by `settle`. */
function untracked(clock: TestClock): Clock {
  return {
    now: () => clock.now(),
    setTimer: (delayMs, fire) => clock.setTimer(delayMs, fire),
    clearTimer: (handle) => clock.clearTimer(handle),
  };
}
