// Batching per connection and back-pressure from the socket's buffered amount.
import { defineActor, noreply, Pid, reply, systemClock } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { CLOSE, type WsTransportEvent } from '../src/index.js';
import { nodeStarter, until } from './harness.js';
import { RawPeer } from './raw-peer.js';

const start = nodeStarter();

const counter = defineActor<number, void, 'count'>({
  init: () => 0,
  handleCall: (_req, _from, n) => reply(n, n),
  handleInfo: (_m, n) => n + 1,
});

describe('batching', () => {
  it('carries 1000 small sends made in one tick in a handful of frames, in order', async () => {
    const clock = new TestClock();
    const a = await start('a', clock);
    const b = await start('b', clock);
    await a.transport.connect(b.address);
    const got: number[] = [];
    const sink = b.node.spawn(
      async (ctx) => {
        for (let i = 0; i < 1000; i++) got.push((await ctx.receive()) as number);
      },
      { mailbox: { capacity: Number.POSITIVE_INFINITY } },
    );
    await clock.settle();
    const before = a.transport.stats().framesOut;
    for (let i = 0; i < 1000; i++) a.node.send(sink, i);
    await clock.settle();
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(a.transport.stats().framesOut - before).toBeLessThanOrEqual(4);
  });

  it('flushes a batch at the size threshold without waiting for the end of the tick', async () => {
    const clock = new TestClock();
    const a = await start('a', clock, { batchBytes: 4096 });
    const b = await start('b', clock);
    await a.transport.connect(b.address);
    const sink = b.node.spawn(counter);
    await clock.settle();
    const before = a.transport.stats().framesOut;
    for (let i = 0; i < 10; i++) a.node.send(sink, 'y'.repeat(1000));
    expect(a.transport.stats().framesOut - before).toBe(2);
    await clock.settle();
    expect(await a.node.call(sink, 'count')).toBe(10);
  });
});

describe('back-pressure', () => {
  // Real time: a peer that reads nothing acknowledges nothing, so a TestClock could not settle.
  it('refuses sends to a saturated peer (dead letters backpressure) but still sends calls and signals', async () => {
    const a = await start('a', systemClock, {
      highWaterMark: 64 * 1024,
      hardLimit: 512 * 1024 * 1024,
    });
    const stalled = await RawPeer.connect(a.address, { name: 'stalled' });
    await until(() => a.node.nodes().includes('stalled'), 'stalled to connect');
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const to = new Pid('stalled', stalled.incarnation, 1);
    const chunk = 'x'.repeat(32 * 1024);
    let sent = 0;
    for (; sent < 4000 && a.node.deadLetters.countOf('backpressure') === 0; sent++) {
      a.node.send(to, chunk);
      if (sent % 16 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(sent).toBeLessThan(4000);
    expect(a.transport.stats().refused).toBe(1);
    // A call is a signal on the wire (one envelope: it carries its monitor, decision 0013): it
    // is queued, not refused.
    const envelopesBefore = a.transport.stats().envelopesOut;
    const call = a.node.call(to, 'hello', { timeout: 50 }).catch((e: unknown) => e);
    expect(a.transport.stats().envelopesOut - envelopesBefore).toBe(1);
    expect(await call).toMatchObject({ code: 'ERR_CALL_TIMEOUT' });
    expect(a.node.nodes()).toEqual(['stalled']);
    stalled.close();
  });

  it('drops the connection of a peer that stops draining beyond the hard limit (close 4003)', async () => {
    const downs: WsTransportEvent[] = [];
    const a = await start('a', systemClock, {
      highWaterMark: 64 * 1024,
      hardLimit: 1024 * 1024,
      onEvent: (e) => {
        if (e.type === 'connection.down') downs.push(e);
      },
    });
    const stalled = await RawPeer.connect(a.address, { name: 'stalled' });
    await until(() => a.node.nodes().includes('stalled'), 'stalled to connect');
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const to = new Pid('stalled', stalled.incarnation, 1);
    const big = { blob: 'z'.repeat(256 * 1024) };
    // Exit signals are never refused by back-pressure; they pile up until the hard limit.
    for (let i = 0; i < 2000 && a.node.nodes().length > 0; i++) {
      a.node.exit(to, { tag: 'shutdown', detail: big });
      if (i % 4 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(a.node.nodes()).toEqual([]);
    expect(downs).toEqual([
      {
        type: 'connection.down',
        node: 'stalled',
        code: CLOSE.notDraining,
        reason: 'peer is not draining',
      },
    ]);
    stalled.close();
  });
});

describe('noreply servers', () => {
  it('keeps FIFO for a call and the sends around it (item 52)', async () => {
    const clock = new TestClock();
    const a = await start('a', clock);
    const b = await start('b', clock);
    await a.transport.connect(b.address);
    const log: unknown[] = [];
    const srv = b.node.spawn(
      defineActor<null, void, unknown>({
        init: () => null,
        handleInfo: (m, s) => {
          log.push(m);
          return s;
        },
        handleCall: (req, from, s, ctx) => {
          log.push(req);
          ctx.reply(from, 'ok');
          return noreply(s);
        },
      }),
    );
    a.node.send(srv, 1);
    const answer = a.node.call(srv, 2);
    a.node.send(srv, 3);
    expect(await answer).toBe('ok');
    await clock.settle();
    expect(log).toEqual([1, 2, 3]);
  });
});
