// Outgoing batches are encoded as they grow: the bytes must be those of encoding the frame whole.
import { type Envelope, Pid, type Ref } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { BatchWriter } from '../src/internal/batch-writer.js';
import { encode } from '../src/internal/codec.js';
import { envelopeToWire } from '../src/internal/envelope-wire.js';

const here = new Pid('b', 'inc0000001', 1);
const there = new Pid('a', 'inc0000002', 9);

/** The i-th envelope of a mixed batch: sends and casts to three pids, calls, a reply, an exit. */
function envelope(i: number): Envelope {
  const to = new Pid('b', 'inc0000001', i % 3);
  switch (i % 7) {
    case 4:
      return { kind: 'call', to, from: there, ref: `r${i}` as Ref, request: 'x'.repeat(i % 90) };
    case 5:
      return { kind: 'reply', to, ref: `r${i}` as Ref, value: { n: i, pid: there } };
    case 6:
      return { kind: 'exit', to, from: there, reason: 'shutdown', link: true };
    default:
      return i % 2 === 0
        ? { kind: 'send', to, message: { seq: i, s: 'y'.repeat(i % 50), to } }
        : { kind: 'cast', to: here, message: [i, -i, i * 1.5] };
  }
}

function batchOf(writer: BatchWriter, envelopes: readonly Envelope[]): void {
  for (const e of envelopes) writer.commit(writer.stage(e));
}

const whole = (seq: number, ack: number, envelopes: readonly Envelope[]) =>
  Buffer.from(encode([0, seq, ack, envelopes.map(envelopeToWire)]));

describe('batch writer', () => {
  it.each([
    [0, 1, 0],
    [2, 5, 3],
    [20, 200, 300],
    [3, 70_000, 2 ** 31],
    [5, 2 ** 40 + 1, 2 ** 33],
    [70_000, 9, 70_000],
  ])(
    'writes %i envelopes (seq %i, ack %i) byte for byte as the whole frame encoded at once',
    (n, seq, ack) => {
      const writer = new BatchWriter();
      const envelopes = Array.from({ length: n }, (_, i) => envelope(i));
      batchOf(writer, envelopes);
      expect(writer.count).toBe(n);
      expect(Buffer.from(writer.frame(seq, ack)).equals(whole(seq, ack, envelopes))).toBe(true);
      // The next batch starts empty, in a buffer of its own.
      expect(Buffer.from(writer.frame(1, 1)).equals(whole(1, 1, []))).toBe(true);
    },
  );

  it('keeps each frame its own bytes after the next batch is written', () => {
    const writer = new BatchWriter();
    batchOf(writer, [envelope(0), envelope(1)]);
    const first = writer.frame(1, 0);
    const copy = Buffer.from(first);
    batchOf(writer, [envelope(2), envelope(3), envelope(4)]);
    writer.frame(2, 0);
    expect(first.equals(copy)).toBe(true);
  });

  it('leaves the batch unchanged when an envelope cannot be encoded', () => {
    const writer = new BatchWriter();
    batchOf(writer, [envelope(0)]);
    const cycle: { self?: unknown } = {};
    cycle.self = cycle;
    expect(() => writer.stage({ kind: 'send', to: here, message: cycle })).toThrow();
    expect(() =>
      writer.stage({ kind: 'reply', to: here, ref: 'r' as Ref, value: cycle }),
    ).toThrow();
    expect(writer.count).toBe(1);
    expect(Buffer.from(writer.frame(1, 0)).equals(whole(1, 0, [envelope(0)]))).toBe(true);
  });

  it('moves a staged envelope into the next batch once the pending one has left', () => {
    const writer = new BatchWriter();
    batchOf(writer, [envelope(0), envelope(1)]);
    const size = writer.stage(envelope(2));
    const staged = writer.staged(size);
    const first = Buffer.from(writer.frame(1, 0));
    writer.restage(size, staged);
    writer.commit(size);
    expect(first.equals(whole(1, 0, [envelope(0), envelope(1)]))).toBe(true);
    expect(Buffer.from(writer.frame(2, 0)).equals(whole(2, 0, [envelope(2)]))).toBe(true);
  });
});
