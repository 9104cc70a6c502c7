// Outgoing batches are encoded as they grow: the bytes must be those of encoding the frame whole.
import { type Envelope, Pid, type Ref } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { BatchWriter } from '../src/internal/batch-writer.js';
import { encode } from '../src/internal/codec.js';
import { envelopeToWire } from '../src/internal/envelope-wire.js';
import { MAX_DESTINATIONS } from '../src/internal/frames.js';

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
  for (const e of envelopes) {
    writer.stage(e);
    writer.commit();
  }
}

/**
 * The frame encoded at once: a send or cast names its destination by index in the table after
 * the envelopes (one entry per pid object, in order of first use, at most MAX_DESTINATIONS; the
 * rest carry their pid), and a frame without sends or casts has no table.
 */
function whole(seq: number, ack: number, envelopes: readonly Envelope[]): Buffer {
  const table: Pid[] = [];
  const wire = envelopes.map((e) => {
    const w = envelopeToWire(e);
    if (e.kind !== 'send' && e.kind !== 'cast') return w;
    let index = table.indexOf(e.to);
    if (index < 0 && table.length < MAX_DESTINATIONS) index = table.push(e.to) - 1;
    return index < 0 ? w : [w[0], index, w[2]];
  });
  return Buffer.from(encode(table.length > 0 ? [0, seq, ack, wire, table] : [0, seq, ack, wire]));
}

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

  it('encodes a staged envelope again for the next batch once the pending one has left', () => {
    const writer = new BatchWriter();
    batchOf(writer, [envelope(0), envelope(1)]);
    writer.stage(envelope(2));
    const first = Buffer.from(writer.frame(1, 0));
    writer.stage(envelope(2));
    writer.commit();
    expect(first.equals(whole(1, 0, [envelope(0), envelope(1)]))).toBe(true);
    expect(Buffer.from(writer.frame(2, 0)).equals(whole(2, 0, [envelope(2)]))).toBe(true);
  });

  it('names a flood to one pid by index, the pid once in the table', () => {
    const writer = new BatchWriter();
    const sends: Envelope[] = Array.from({ length: 100 }, (_, i) => ({
      kind: 'send',
      to: here,
      message: { seq: i },
    }));
    batchOf(writer, sends);
    const frame = Buffer.from(writer.frame(1, 0));
    expect(frame.equals(whole(1, 0, sends))).toBe(true);
    const inline = Buffer.from(encode([0, 1, 0, sends.map(envelopeToWire)]));
    expect(frame.length).toBeLessThan(inline.length / 2);
  });

  it('counts the table in the bytes a batch adds, and forgets it with the frame', () => {
    const writer = new BatchWriter();
    const send = (to: Pid): Envelope => ({ kind: 'send', to, message: 1 });
    const size = writer.stage(send(here));
    writer.commit();
    expect(writer.bytes).toBe(size);
    const again = writer.stage(send(here));
    writer.commit();
    expect(again).toBeLessThan(size);
    expect(writer.bytes).toBe(size + again);
    const frame = writer.frame(1, 0);
    // The header `[0x95, 0, seq, ack, 0x92]` and exactly the bytes the batch said it adds.
    expect(frame.length).toBe(5 + size + again);
    expect(writer.bytes).toBe(0);
    expect(Buffer.from(frame).equals(whole(1, 0, [send(here), send(here)]))).toBe(true);
  });

  it('does not keep a destination whose envelope was staged but never committed', () => {
    const writer = new BatchWriter();
    writer.stage({ kind: 'send', to: there, message: 'refused' });
    batchOf(writer, [envelope(0)]);
    expect(Buffer.from(writer.frame(1, 0)).equals(whole(1, 0, [envelope(0)]))).toBe(true);
  });
});
