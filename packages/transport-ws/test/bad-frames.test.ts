// Hostile frames from an authenticated peer: each closes that peer's connection with a documented
// code (docs/wire-protocol.md) and leaves the node serving its honest peers.
import { defineActor, Pid, reply } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import type { WsTransportEvent } from '../src/index.js';
import { CLOSE } from '../src/internal/close-codes.js';
import { encode } from '../src/internal/codec.js';
import { KIND } from '../src/internal/envelope-wire.js';
import { nodeStarter, type TestNode } from './harness.js';
import { MANY_HANDSHAKES } from './limits.js';
import { RawPeer } from './raw-peer.js';

const MAX_PAYLOAD = 64 * 1024;
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const echo = defineActor<null, void, unknown>({
  init: () => null,
  handleCall: (request, _from, state) => reply(request, state),
});

const start = nodeStarter();

interface Stage {
  readonly a: TestNode;
  readonly b: TestNode;
  readonly srv: Pid;
  readonly raw: RawPeer;
  readonly events: WsTransportEvent[];
}

async function stage(): Promise<Stage> {
  const clock = new TestClock();
  const events: WsTransportEvent[] = [];
  const a = await start('a', clock, {
    handshakeLimits: MANY_HANDSHAKES,
    maxPayload: MAX_PAYLOAD,
    onEvent: (e) => events.push(e),
  });
  const b = await start('b', clock);
  await b.transport.connect(a.address);
  const srv = a.node.spawn(echo);
  const raw = await RawPeer.connect(a.address);
  return { a, b, srv, raw, events };
}

/** The node still answers its honest peer, and only the hostile connection is gone. */
async function stillServes({ a, b, srv }: Stage): Promise<void> {
  expect(a.node.stopped).toBe(false);
  expect(await b.node.call(srv, { ping: 1 })).toEqual({ ping: 1 });
  expect(a.node.nodes()).toEqual(['b']);
}

const pidOfA = (s: Stage, id = 999) => new Pid('a', s.a.node.incarnation, id);

describe('bad frames from an authenticated peer', () => {
  it('closes with 1009 on a frame above maxPayload', async () => {
    const s = await stage();
    s.raw.send(Buffer.alloc(MAX_PAYLOAD + 1));
    expect((await s.raw.closed).code).toBe(CLOSE.tooBig);
    await stillServes(s);
  });

  it('closes with 1003 on a text frame', async () => {
    const s = await stage();
    s.raw.send('{"kind":"send"}');
    expect((await s.raw.closed).code).toBe(CLOSE.textFrame);
    await stillServes(s);
  });

  it.each([
    ['truncated msgpack', (f: Buffer) => f.subarray(0, f.length - 1)],
    ['msgpack with a trailing byte', (f: Buffer) => Buffer.concat([f, hex('00')])],
  ])('closes with 1007 on %s', async (_what, mangle) => {
    const s = await stage();
    s.raw.send(mangle(s.raw.batch([[KIND.send, pidOfA(s), 'x']])));
    expect((await s.raw.closed).code).toBe(CLOSE.undecodable);
    await stillServes(s);
  });

  it.each([
    [
      'nested length headers claiming huge arrays',
      Buffer.concat([hex('94 00 01 00'), ...Array.from({ length: 40 }, () => hex('dd ffffffff'))]),
    ],
    [
      'nesting 60 000 levels deep',
      Buffer.concat([hex('94 00 01 00'), Buffer.alloc(60_000, 0x91), hex('c0')]),
    ],
    ['a record definition extension', hex('94 00 01 00 91 d4 72 40 91 a1 61 40 01')],
    ['a BigInt extension', hex('94 00 01 00 91 93 00 c7 08 42 0102030405060708 01')],
    [
      'an int64 where a pid id goes',
      hex('94 00 01 00 91 93 00 d4 57 00 93 a1 61 a3 78 78 78 d3 0000000000000001 01'),
    ],
    [
      'a __proto__ key in a message',
      hex('94 00 01 00 91 93 00 c0 81 a9 5f5f70726f746f5f5f 81 a5 61646d696e c3'),
    ],
  ])('closes with 1007 on %s', async (_what, frame) => {
    const s = await stage();
    const before = process.memoryUsage().rss;
    s.raw.send(frame);
    expect((await s.raw.closed).code).toBe(CLOSE.undecodable);
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
    expect(({} as { admin?: unknown }).admin).toBeUndefined();
    await stillServes(s);
  });

  it('keeps RSS growth under 50 MB across 200 huge-header frames on 200 connections', async () => {
    const s = await stage();
    const frame = Buffer.concat([
      hex('94 00 01 00'),
      ...Array.from({ length: 1000 }, () => hex('dd ffffffff')),
    ]);
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 200; i++) {
      const raw =
        i === 0
          ? s.raw
          : await RawPeer.connect(s.a.address, { incarnation: `raw${String(i).padStart(7, '0')}` });
      raw.send(frame);
      expect((await raw.closed).code).toBe(CLOSE.undecodable);
    }
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
    await stillServes(s);
  }, 30_000); // 200 full handshakes, each with two certificates and three signatures checked

  it.each<[string, (s: Stage) => Buffer]>([
    ['an unknown envelope kind', (s) => s.raw.batch([[42, pidOfA(s), 'x']])],
    ['an unknown frame type', () => encode([9, 1, 0, []])],
    ['a frame out of sequence', (s) => encode([0, s.raw.seq + 5, 0, []])],
    ['an ack of frames never sent', (s) => encode([0, s.raw.seq, 1_000_000, []])],
    [
      'an envelope for a pid of another node',
      (s) => s.raw.batch([[KIND.send, new Pid('b', s.b.node.incarnation, 1), 'x']]),
    ],
    ['a destination index without a table', (s) => s.raw.batch([[KIND.send, 0, 'x']])],
    [
      'a destination index beyond the table',
      (s) => s.raw.batchWith([[KIND.send, 1, 'x']], [s.srv]),
    ],
    ['a fractional destination index', (s) => s.raw.batchWith([[KIND.send, 0.5, 'x']], [s.srv])],
    ['an empty table of destinations', (s) => s.raw.batchWith([[KIND.send, s.srv, 'x']], [])],
    [
      'a table of destinations longer than the frame has envelopes',
      (s) => s.raw.batchWith([[KIND.send, 0, 'x']], [s.srv, s.srv]),
    ],
    [
      'a table of destinations holding something other than pids',
      (s) => s.raw.batchWith([[KIND.send, 0, 'x']], ['a']),
    ],
    [
      'a destination of another node named by index',
      (s) => s.raw.batchWith([[KIND.send, 0, 'x']], [new Pid('b', s.b.node.incarnation, 1)]),
    ],
    [
      'a claimed source node that differs from the authenticated peer',
      (s) =>
        s.raw.batch([[KIND.exit, s.srv, new Pid('b', s.b.node.incarnation, 1), 'kill', false]]),
    ],
  ])('closes with 1008 on %s', async (_what, frame) => {
    const s = await stage();
    s.raw.send(frame(s));
    expect((await s.raw.closed).code).toBe(CLOSE.violation);
    expect(
      s.events.filter((e) => e.type === 'frame.rejected').map((e) => (e as { code: number }).code),
    ).toEqual([CLOSE.violation]);
    expect(s.a.node.isAlive(s.srv)).toBe(true);
    await stillServes(s);
  });

  it('checks a frame whole: a bad envelope after good ones delivers none of them', async () => {
    const s = await stage();
    const seen: unknown[] = [];
    const sink = s.a.node.spawn(async (ctx) => {
      for (let i = 0; i < 10; i++) seen.push(await ctx.receive());
    });
    s.raw.send(
      s.raw.batch([
        [KIND.send, sink, 'one'],
        [KIND.send, sink, 'two'],
        [77, sink, 'bad'],
      ]),
    );
    expect((await s.raw.closed).code).toBe(CLOSE.violation);
    await stillServes(s);
    expect(seen).toEqual([]);
  });

  it('delivers, in order, envelopes that name their destination by index in the frame table', async () => {
    const s = await stage();
    const seen: unknown[] = [];
    const sink = s.a.node.spawn(async (ctx) => {
      for (let i = 0; i < 4; i++) seen.push(await ctx.receive());
    });
    s.raw.send(
      s.raw.batchWith(
        [
          [KIND.send, 1, 'one'],
          [KIND.send, sink, 'two'],
          [KIND.cast, 1, 'three'],
          [KIND.send, 1, 'four'],
        ],
        [s.srv, sink],
      ),
    );
    expect(await s.raw.roundTrip()).toBe('open');
    await (s.a.node.clock as TestClock).settle();
    expect(seen).toEqual(['one', 'two', expect.objectContaining({ message: 'three' }), 'four']);
  });

  it('delivers the messages of a well-formed frame from the same peer (the harness is honest)', async () => {
    const s = await stage();
    const seen: unknown[] = [];
    const sink = s.a.node.spawn(async (ctx) => {
      for (let i = 0; i < 2; i++) seen.push(await ctx.receive());
    });
    s.raw.send(
      s.raw.batch([
        [KIND.send, sink, 'one'],
        [KIND.send, sink, { pid: sink }],
      ]),
    );
    expect(await s.raw.roundTrip()).toBe('open');
    await (s.a.node.clock as TestClock).settle();
    expect(seen).toEqual(['one', { pid: sink }]);
  });
});
