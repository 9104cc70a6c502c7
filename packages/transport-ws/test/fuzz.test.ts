// A fast-check fuzzer speaking to a node over a real authenticated connection: random bytes,
// random MessagePack, structured but wrong frames, and mutations of valid ones. Whatever it
// sends, the node stays up and keeps answering its honest peer (docs/security.md).
import { defineActor, Pid, reply } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../src/internal/codec.js';
import { nodeStarter, type TestNode } from './harness.js';
import { MANY_HANDSHAKES } from './limits.js';
import { RawPeer } from './raw-peer.js';

const FRAMES_PER_RUN = 50;
const RUNS = 42; // 2 100 frames

const echo = defineActor<null, void, unknown>({
  init: () => null,
  handleCall: (request, _from, state) => reply(request, state),
});

type Spec =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'value'; value: unknown }
  | { kind: 'batch'; rightSeq: boolean; envelopes: EnvelopeSpec[]; table: TableSpec }
  | {
      kind: 'mutant';
      envelopes: EnvelopeSpec[];
      at: number;
      op: 'flip' | 'cut' | 'insert' | 'dup';
      byte: number;
    };

/** A BATCH's table of destinations: absent, the victim, a pid of another node, or junk. */
type TableSpec = 'none' | 'victim' | 'foreign' | 'junk';

interface EnvelopeSpec {
  /** Proper arity for its kind, or fields cut at random. */
  proper: boolean;
  kindCode: number;
  /** `index`: 0, the first destination of the frame's table; `bad-index`: 5, beyond it. */
  to: 'victim' | 'stale' | 'foreign' | 'junk' | 'index' | 'bad-index';
  from: 'peer' | 'stale-peer' | 'other-node' | 'junk';
  ref: string;
  payload: unknown;
  reason: unknown;
}

const envelopeSpec: fc.Arbitrary<EnvelopeSpec> = fc.record({
  proper: fc.boolean(),
  kindCode: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 9 }) },
    { weight: 1, arbitrary: fc.integer({ min: -3, max: 300 }) },
  ),
  to: fc.constantFrom(
    'victim',
    'victim',
    'victim',
    'stale',
    'foreign',
    'junk',
    'index',
    'bad-index',
  ),
  from: fc.constantFrom('peer', 'peer', 'peer', 'stale-peer', 'other-node', 'junk'),
  ref: fc.string({ maxLength: 40 }),
  payload: fc.jsonValue({ maxDepth: 4 }),
  reason: fc.oneof(
    fc.constantFrom('normal', 'shutdown', 'kill', 'noproc', 'noconnection', 'bogus'),
    fc.record({
      tag: fc.constantFrom('error', 'shutdown', 'x'),
      name: fc.string(),
      message: fc.string(),
    }),
  ),
});

const spec: fc.Arbitrary<Spec> = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ kind: fc.constant('value' as const), value: fc.jsonValue({ maxDepth: 5 }) }),
  fc.record({
    kind: fc.constant('batch' as const),
    rightSeq: fc.boolean(),
    envelopes: fc.array(envelopeSpec, { maxLength: 5 }),
    table: fc.constantFrom<TableSpec>('none', 'none', 'victim', 'victim', 'foreign', 'junk'),
  }),
  fc.record({
    kind: fc.constant('mutant' as const),
    envelopes: fc.array(envelopeSpec, { minLength: 1, maxLength: 4 }),
    at: fc.nat(),
    op: fc.constantFrom('flip', 'cut', 'insert', 'dup'),
    byte: fc.integer({ min: 0, max: 255 }),
  }),
);

const start = nodeStarter();

describe('fuzzing a node over a real connection', () => {
  it(`survives ${RUNS * FRAMES_PER_RUN} random and mutated frames and keeps answering its honest peer`, async () => {
    const clock = new TestClock();
    const a: TestNode = await start('a', clock, {
      handshakeLimits: MANY_HANDSHAKES,
      maxPayload: 64 * 1024,
    });
    const b: TestNode = await start('b', clock);
    await b.transport.connect(a.address);
    const srv = a.node.spawn(echo);
    const victim = a.node.spawn(
      async (ctx) => {
        for (let i = 0; i < 1_000_000; i++) await ctx.receive();
      },
      { trapExit: true, mailbox: { capacity: 10_000 } },
    );
    let raw = await RawPeer.connect(a.address);
    let connections = 1;
    let sent = 0;
    let accepted = 0;

    const pid = (which: EnvelopeSpec['to'] | EnvelopeSpec['from']): unknown => {
      switch (which) {
        case 'victim':
          return victim;
        case 'stale':
          return new Pid('a', 'staleinc01', victim.id);
        case 'foreign':
        case 'other-node':
          return new Pid('b', b.node.incarnation, 1);
        case 'peer':
          return new Pid(raw.name, raw.incarnation, 1);
        case 'stale-peer':
          return new Pid(raw.name, 'oldinc0001', 1);
        case 'index':
          return 0;
        case 'bad-index':
          return 5;
        default:
          return { node: 'a', id: 1 };
      }
    };
    const table = (t: TableSpec): unknown[] => {
      switch (t) {
        case 'none':
          return [];
        case 'victim':
          return [[victim]];
        case 'foreign':
          return [[new Pid('b', b.node.incarnation, 1)]];
        default:
          return [['x']];
      }
    };
    const envelope = (e: EnvelopeSpec): unknown[] => {
      const [k, to, from] = [e.kindCode, pid(e.to), pid(e.from)];
      if (!e.proper)
        return [k, to, from, e.ref, e.payload, e.reason].slice(0, 1 + (Math.abs(k) % 6));
      switch (k) {
        case 0:
        case 1:
          return [k, to, e.payload];
        case 2:
          return [k, to, from, e.ref, e.payload];
        case 3:
          return e.ref.length % 2 === 0
            ? [k, to, e.ref, e.payload]
            : [k, to, e.ref, e.payload, null, true];
        case 6:
          return [k, to, from, e.reason, e.ref.length % 2 === 0];
        case 7:
        case 8:
          return [k, to, from, e.ref];
        case 9:
          return [k, to, from, e.ref, e.reason];
        default:
          return [k, to, from];
      }
    };
    const bytesOf = (s: Spec): { frame: Buffer; seqUsed: boolean } => {
      switch (s.kind) {
        case 'bytes':
          return { frame: Buffer.from(s.bytes), seqUsed: false };
        case 'value':
          return { frame: encode(s.value), seqUsed: false };
        case 'batch':
          return {
            frame: encode([
              0,
              s.rightSeq ? raw.seq : raw.seq + 3,
              raw.received,
              s.envelopes.map(envelope),
              ...table(s.table),
            ]),
            seqUsed: s.rightSeq,
          };
        case 'mutant': {
          const good = encode([0, raw.seq, raw.received, s.envelopes.map(envelope), [victim]]);
          const at = s.at % good.length;
          if (s.op === 'flip') good[at] = (good[at] as number) ^ (1 + (s.byte % 255));
          if (s.op === 'cut') return { frame: good.subarray(0, at), seqUsed: true };
          if (s.op === 'insert')
            return {
              frame: Buffer.concat([
                good.subarray(0, at),
                Buffer.from([s.byte]),
                good.subarray(at),
              ]),
              seqUsed: true,
            };
          if (s.op === 'dup')
            return { frame: Buffer.concat([good, good.subarray(at)]), seqUsed: true };
          return { frame: good, seqUsed: true };
        }
      }
    };

    await fc.assert(
      fc.asyncProperty(
        fc.array(spec, { minLength: FRAMES_PER_RUN, maxLength: FRAMES_PER_RUN }),
        async (specs) => {
          for (const s of specs) {
            if (raw.isClosed) {
              raw = await RawPeer.connect(a.address, {
                incarnation: `fz${String(connections++).padStart(8, '0')}`,
              });
            }
            const { frame, seqUsed } = bytesOf(s);
            raw.send(frame);
            sent++;
            if ((await raw.roundTrip()) === 'open') {
              accepted++;
              if (seqUsed) raw.seq++;
            }
          }
          expect(a.node.stopped).toBe(false);
          expect(await b.node.call(srv, { alive: true })).toEqual({ alive: true });
          expect(a.node.nodes()).toContain('b');
        },
      ),
      { numRuns: RUNS },
    );
    raw.close();
    expect(sent).toBeGreaterThanOrEqual(2000);
    // Both paths were exercised: frames the node refused (closing the connection) and accepted.
    expect(connections).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(10);
    expect(a.transport.stats().rejectedFrames).toBeGreaterThan(100);
    expect(a.node.isAlive(srv)).toBe(true);
  }, 120_000);
});
