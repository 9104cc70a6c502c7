// The trace context of a send, cast or call on the wire (docs/wire-protocol.md, section 3): it
// crosses with the envelope, an old peer's envelope without it stays valid, and a bad one from a
// peer is dropped, counted by an event, and the message delivered.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type ContextPropagation,
  defineActor,
  type Envelope,
  type NodeEvent,
  Pid,
  type Ref,
  reply,
  TRACE_CONTEXT_LIMITS,
  type TraceContext,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import type { WsTransportEvent } from '../src/index.js';
import { BatchWriter } from '../src/internal/batch-writer.js';
import { decode, encode } from '../src/internal/codec.js';
import {
  checkBatch,
  envelopeFromWire,
  envelopeToWire,
  KIND,
} from '../src/internal/envelope-wire.js';
import { nodeStarter, type TestNode, until } from './harness.js';
import { MANY_HANDSHAKES } from './limits.js';
import { RawPeer } from './raw-peer.js';

const A: TraceContext = { traceparent: `00-${'a'.repeat(32)}-${'1'.repeat(16)}-01` };
const B: TraceContext = {
  traceparent: `00-${'b'.repeat(32)}-${'2'.repeat(16)}-00`,
  tracestate: 'vendor=x,other=y',
};

function storage(): { als: AsyncLocalStorage<TraceContext>; propagation: ContextPropagation } {
  const als = new AsyncLocalStorage<TraceContext>();
  return {
    als,
    propagation: {
      current: () => als.getStore(),
      run: (context, fn) => als.run(context as TraceContext, fn),
    },
  };
}

/** Records the message and the context of every handler it runs, and answers calls the same way. */
function recorder(als: AsyncLocalStorage<TraceContext>, seen: unknown[]) {
  return defineActor<null>({
    init: () => null,
    handleInfo: (message, state) => {
      seen.push({ info: message, context: als.getStore() });
      return state;
    },
    handleCast: (message, state) => {
      seen.push({ cast: message, context: als.getStore() });
      return state;
    },
    handleCall: (request, _from, state) => {
      const answer = { call: request, context: als.getStore() };
      seen.push(answer);
      return reply(answer, state);
    },
  });
}

describe('trace context in wire envelopes', () => {
  const here = { node: 'a', incarnation: 'inca000001' };
  const parties = { self: 'a', peer: 'b', peerIncarnation: 'incb000001' };

  it('encodes it as one more item of a send, cast or call, and reads it back', () => {
    const to = new Pid(here.node, here.incarnation, 3);
    const from = new Pid('b', 'incb000001', 4);
    const ref = 'b.incb000001#1' as Ref;
    const envelopes: Envelope[] = [
      { kind: 'send', to, message: 'x', trace: A },
      { kind: 'cast', to, message: 'y', trace: B },
      { kind: 'call', to, from, ref, request: 'z', trace: B },
    ];
    expect(envelopes.map((e) => envelopeToWire(e).at(-1))).toEqual([
      [A.traceparent],
      [B.traceparent, B.tracestate],
      [B.traceparent, B.tracestate],
    ]);
    for (const e of envelopes) {
      const d = decode(encode(envelopeToWire(e)));
      expect(d.ok && envelopeFromWire(d.value, parties)).toEqual({ ok: true, envelope: e });
    }
    // Without one, the envelopes of a peer built before the field: nothing added, still valid.
    const plain: Envelope = { kind: 'send', to, message: 'x' };
    expect(envelopeToWire(plain)).toEqual([KIND.send, to, 'x']);
    expect(envelopeFromWire(envelopeToWire(plain), parties)).toEqual({ ok: true, envelope: plain });
  });

  it('still refuses a send of five items and a call of seven', () => {
    const to = new Pid('a', 'inca000001', 3);
    const from = new Pid('b', 'incb000001', 4);
    expect(envelopeFromWire([KIND.send, to, 'x', [A.traceparent], 'extra'], parties)).toEqual({
      ok: false,
      reason: 'envelope kind 0 has 5 fields',
    });
    expect(
      envelopeFromWire([KIND.call, to, from, 'r', 'q', [A.traceparent], 'extra'], parties),
    ).toEqual({ ok: false, reason: 'envelope kind 2 has 7 fields' });
    expect(envelopeFromWire([KIND.link, to, from, [A.traceparent]], parties)).toEqual({
      ok: false,
      reason: 'envelope kind 4 has 4 fields',
    });
    // The flood path takes a traced send in its wire form as well.
    expect(checkBatch([[KIND.send, to, 'x', [A.traceparent]]], parties, undefined)).toEqual([to]);
  });

  it('writes a traced send in a batch as encoding the frame whole would', () => {
    const to = new Pid('b', 'incb000001', 1);
    const writer = new BatchWriter();
    for (const e of [
      { kind: 'send', to, message: { n: 1 }, trace: A },
      { kind: 'send', to, message: { n: 2 } },
      { kind: 'cast', to, message: 'c', trace: B },
    ] as Envelope[]) {
      writer.stage(e);
      writer.commit();
    }
    const frame = writer.frame(7, 3);
    const wire = [
      [KIND.send, 0, { n: 1 }, [A.traceparent]],
      [KIND.send, 0, { n: 2 }],
      [KIND.cast, 0, 'c', [B.traceparent, B.tracestate]],
    ];
    expect(Buffer.from(frame)).toEqual(Buffer.from(encode([0, 7, 3, wire, [to]])));
  });
});

const start = nodeStarter();

describe('trace context between two nodes over WebSockets (127.0.0.1)', () => {
  async function pair() {
    const clock = new TestClock();
    const a = await start('a', clock);
    const b = await start('b', clock);
    await b.transport.connect(a.address);
    const sa = storage();
    const sb = storage();
    a.node.setContextPropagation(sa.propagation);
    b.node.setContextPropagation(sb.propagation);
    const seen: unknown[] = [];
    const pid = b.node.spawn(recorder(sb.als, seen));
    return { a, b, sa, pid, seen };
  }

  it('carries the caller context of a send, a cast and a call to the handler on the other node', async () => {
    const { a, sa, pid, seen } = await pair();
    sa.als.run(A, () => a.node.send(pid, 'sent'));
    a.node.send(pid, 'plain');
    sa.als.run(B, () => a.node.cast(pid, 'cast'));
    // The call leaves at once, after the sends: its answer says they were handled before it.
    expect(await sa.als.run(A, () => a.node.call(pid, 'called'))).toEqual({
      call: 'called',
      context: A,
    });
    expect(seen).toEqual([
      { info: 'sent', context: A },
      { info: 'plain', context: undefined },
      { cast: 'cast', context: B },
      { call: 'called', context: A },
    ]);
  });
});

describe('a bad trace context from a peer', () => {
  async function stage(): Promise<{
    a: TestNode;
    srv: Pid;
    raw: RawPeer;
    seen: unknown[];
    dropped: string[];
    rejected: WsTransportEvent[];
  }> {
    const clock = new TestClock();
    const rejected: WsTransportEvent[] = [];
    const a = await start('a', clock, {
      handshakeLimits: MANY_HANDSHAKES,
      onEvent: (e) => {
        if (e.type === 'frame.rejected') rejected.push(e);
      },
    });
    const { als, propagation } = storage();
    a.node.setContextPropagation(propagation);
    const seen: unknown[] = [];
    const srv = a.node.spawn(recorder(als, seen));
    const dropped: string[] = [];
    a.node.inspect((e: NodeEvent) => {
      if (e.type === 'trace_context.dropped') dropped.push(e.reason);
    });
    const raw = await RawPeer.connect(a.address);
    return { a, srv, raw, seen, dropped, rejected };
  }

  const long = `cc-${'a'.repeat(32)}-${'1'.repeat(16)}-01-${'x'.repeat(TRACE_CONTEXT_LIMITS.traceparent)}`;

  it.each<[string, unknown, string, TraceContext | undefined]>([
    ['a malformed traceparent', ['00-nothex-01'], 'malformed-traceparent', undefined],
    ['an oversized traceparent', [long], 'oversized-traceparent', undefined],
    ['a traceparent that is a number', [7], 'malformed-traceparent', undefined],
    ['a map instead of the array', { traceparent: A.traceparent }, 'malformed-context', undefined],
    ['an array of three', [A.traceparent, 'a=b', 'c'], 'malformed-context', undefined],
    ['nil', null, 'malformed-context', undefined],
    [
      'an oversized tracestate (the traceparent is kept)',
      [A.traceparent, 'k=v,'.repeat(200)],
      'oversized-tracestate',
      A,
    ],
  ])('drops %s with a counted event and delivers the message', async (_, trace, reason, kept) => {
    const s = await stage();
    s.raw.send(s.raw.batch([[KIND.send, s.srv, 'hello', trace]]));
    await until(() => s.seen.length === 1, 'the message');
    expect(s.seen).toEqual([{ info: 'hello', context: kept }]);
    expect(s.dropped).toEqual([reason]);
    expect(s.rejected).toEqual([]);
    expect(await s.raw.roundTrip()).toBe('open');
  });

  it('drops a bad one on a call too, and delivers the call', async () => {
    const s = await stage();
    const ref = `raw.rawinc0001#1`;
    const from = new Pid('raw', 'rawinc0001', 1);
    s.raw.send(s.raw.batch([[KIND.call, s.srv, from, ref, 'q', ['junk']]]));
    await until(() => s.seen.length === 1, 'the call');
    expect(s.seen).toEqual([{ call: 'q', context: undefined }]);
    expect(s.dropped).toEqual(['malformed-traceparent']);
    expect(s.rejected).toEqual([]);
    expect(await s.raw.roundTrip()).toBe('open');
  });
});
