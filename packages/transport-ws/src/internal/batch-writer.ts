import type { Envelope, Pid } from '@warden/core';
import { encodeInto, encodePid } from './codec.js';
import { envelopeToWire, KIND, traceToWire } from './envelope-wire.js';
import { FRAME, MAX_DESTINATIONS } from './frames.js';

/** Room kept before the envelopes for the frame header `[0, seq, ack, [` (at most 25 bytes). */
const HEAD = 32;
/** The smallest buffer a batch starts with. */
const MIN_CAPACITY = 256;
/** The largest: a batch that outgrows it grows as it goes (one large message does not make every later buffer large). */
const MAX_HINT = 64 * 1024;

/**
 * The pending batch of one connection, encoded as it grows: one buffer holding the envelopes'
 * MessagePack one after the other, with room before them for the frame header, which `frame`
 * writes once the count, sequence number and ack are known.
 *
 * A send or cast is written as `0x93, kind, <to>, <message>` (`0x94, ..., <message>, <trace>`
 * when it carries a trace context), where `to` is the index of its
 * destination in the frame's table of destinations, appended after the envelopes: a flood to one
 * process carries that pid once per frame instead of once per message (Erlang's distribution
 * protocol caches atoms per connection for the same reason). Every other envelope is encoded
 * whole. The bytes on the wire are those of `encode([0, seq, ack, envelopes, destinations])`,
 * or of `encode([0, seq, ack, envelopes])` when no send or cast is in the batch.
 */
export class BatchWriter {
  #buf: Buffer;
  #at = HEAD;
  #count = 0;
  /** Capacity for the next buffer: the size of the last frame (bounded), so a steady flow rarely grows. */
  #hint = MIN_CAPACITY;
  /** The frame's destinations, in index order, their bytes, and the index of each. */
  readonly #destinations: Uint8Array[] = [];
  readonly #index = new Map<Pid, number>();
  #destinationBytes = 0;
  #lastPid: Pid | undefined = undefined;
  #lastIndex = -1;
  /** What `stage` left for `commit`: the envelope's bytes and a destination it adds, if any. */
  #stagedBytes = 0;
  #stagedPid: Pid | undefined = undefined;
  #stagedPidBytes: Uint8Array | undefined = undefined;

  constructor() {
    this.#buf = Buffer.allocUnsafe(MIN_CAPACITY);
  }

  /** Envelopes in the batch. */
  get count(): number {
    return this.#count;
  }

  /** Bytes the batch adds to a frame: its envelopes and its table of destinations. */
  get bytes(): number {
    return this.#at - HEAD + this.#destinationBytes;
  }

  /**
   * Encodes `envelope` after the batch, without adding it yet: returns how many bytes it adds to
   * the frame (then `commit` adds it), or throws when it cannot be encoded (nothing changes).
   */
  stage(envelope: Envelope): number {
    const start = this.#at;
    this.#stagedPid = undefined;
    this.#stagedPidBytes = undefined;
    let end: number;
    let extra = 0;
    if (envelope.kind === 'send' || envelope.kind === 'cast') {
      const to = envelope.to;
      let index = to === this.#lastPid ? this.#lastIndex : (this.#index.get(to) ?? -1);
      let inline: Uint8Array | undefined;
      if (index < 0) {
        const bytes = encodePid(to);
        if (this.#destinations.length < MAX_DESTINATIONS) {
          index = this.#destinations.length;
          this.#stagedPid = to;
          this.#stagedPidBytes = bytes;
          // A new entry, and the table's own header when it is the first or grows past 15.
          extra = bytes.length + (index === 0 ? 1 : index === 15 ? 2 : 0);
        } else {
          inline = bytes;
        }
      } else {
        this.#lastPid = to;
        this.#lastIndex = index;
      }
      let at = this.#reserve(start, 5 + (inline?.length ?? 0));
      const buf = this.#buf;
      buf[at++] = envelope.trace === undefined ? 0x93 : 0x94;
      buf[at++] = envelope.kind === 'send' ? KIND.send : KIND.cast;
      if (inline !== undefined) {
        buf.set(inline, at);
        at += inline.length;
      } else {
        at = writeUint(buf, at, index);
      }
      end = this.#append(at, envelope.message);
      if (envelope.trace !== undefined) end = this.#append(end, traceToWire(envelope.trace));
    } else {
      end = this.#append(start, envelopeToWire(envelope));
    }
    this.#stagedBytes = end - start;
    return this.#stagedBytes + extra;
  }

  /** Adds the envelope `stage` just encoded. */
  commit(): void {
    this.#at += this.#stagedBytes;
    this.#count++;
    const pid = this.#stagedPid;
    if (pid !== undefined) {
      const index = this.#destinations.length;
      const bytes = this.#stagedPidBytes as Uint8Array;
      this.#destinations.push(bytes);
      this.#index.set(pid, index);
      this.#destinationBytes += bytes.length + (index === 0 ? 1 : index === 15 ? 2 : 0);
      this.#lastPid = pid;
      this.#lastIndex = index;
      this.#stagedPid = undefined;
      this.#stagedPidBytes = undefined;
    }
  }

  /**
   * The batch as a frame `[0, seq, ack, [envelopes], [destinations]]` (without the table when it
   * is empty), and a fresh empty batch. The returned buffer is the frame's own (the socket may
   * hold it until written).
   */
  frame(seq: number, ack: number): Buffer {
    let end = this.#at;
    const table = this.#destinations;
    if (table.length > 0) {
      end = this.#reserve(end, this.#destinationBytes);
      const buf = this.#buf;
      if (table.length < 16) buf[end++] = 0x90 | table.length;
      else {
        buf[end++] = 0xdc;
        buf[end++] = table.length >> 8;
        buf[end++] = table.length & 0xff;
      }
      for (const bytes of table) {
        buf.set(bytes, end);
        end += bytes.length;
      }
    }
    const buf = this.#buf;
    const n = this.#count;
    let h = HEAD;
    if (n < 16) buf[--h] = 0x90 | n;
    else if (n < 0x10000) {
      buf[--h] = n & 0xff;
      buf[--h] = n >> 8;
      buf[--h] = 0xdc;
    } else {
      buf[--h] = n & 0xff;
      buf[--h] = (n >> 8) & 0xff;
      buf[--h] = (n >> 16) & 0xff;
      buf[--h] = (n >>> 24) & 0xff;
      buf[--h] = 0xdd;
    }
    h = writeUintBefore(buf, h, ack);
    h = writeUintBefore(buf, h, seq);
    buf[--h] = FRAME.batch;
    buf[--h] = table.length > 0 ? 0x95 : 0x94;
    const frame = buf.subarray(h, end);
    this.#hint = Math.min(Math.max(MIN_CAPACITY, end), MAX_HINT);
    this.#buf = Buffer.allocUnsafe(this.#hint);
    this.clear();
    return frame;
  }

  /** Drops the batch. */
  clear(): void {
    this.#at = HEAD;
    this.#count = 0;
    this.#destinations.length = 0;
    this.#index.clear();
    this.#destinationBytes = 0;
    this.#lastPid = undefined;
    this.#lastIndex = -1;
    this.#stagedPid = undefined;
    this.#stagedPidBytes = undefined;
  }

  /** Packs `value` at `at` (growing the buffer as needed); returns where it ends. */
  #append(at: number, value: unknown): number {
    const packed = encodeInto(value);
    const len = packed.end - packed.start;
    at = this.#reserve(at, len);
    const buf = this.#buf;
    if (len <= 32) {
      for (let i = 0, j = packed.start; i < len; i++, j++) buf[at + i] = packed[j] as number;
    } else {
      packed.copy(buf, at, packed.start, packed.end);
    }
    return at + len;
  }

  /** Makes room for `len` bytes at `at` (keeping everything before it); returns `at`. */
  #reserve(at: number, len: number): number {
    const need = at + len;
    if (need > this.#buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#buf.length * 2));
      this.#buf.copy(grown, 0, 0, at);
      this.#buf = grown;
    }
    return at;
  }
}

/** Writes `v` (an integer from 0 to 0xffff) as a MessagePack uint at `at`; returns its end. */
function writeUint(buf: Buffer, at: number, v: number): number {
  if (v < 0x80) {
    buf[at] = v;
    return at + 1;
  }
  if (v < 0x100) {
    buf[at] = 0xcc;
    buf[at + 1] = v;
    return at + 2;
  }
  buf[at] = 0xcd;
  buf[at + 1] = v >> 8;
  buf[at + 2] = v & 0xff;
  return at + 3;
}

/** Writes `v` (a non-negative safe integer) as a MessagePack uint ending at `end`; returns its start. */
function writeUintBefore(buf: Buffer, end: number, v: number): number {
  if (v < 0x80) {
    buf[end - 1] = v;
    return end - 1;
  }
  if (v < 0x100) {
    buf[end - 1] = v;
    buf[end - 2] = 0xcc;
    return end - 2;
  }
  if (v < 0x10000) {
    buf.writeUInt16BE(v, end - 2);
    buf[end - 3] = 0xcd;
    return end - 3;
  }
  if (v < 0x100000000) {
    buf.writeUInt32BE(v, end - 4);
    buf[end - 5] = 0xce;
    return end - 5;
  }
  // Beyond 32 bits msgpackr writes a float64, and so does this.
  buf.writeDoubleBE(v, end - 8);
  buf[end - 9] = 0xcb;
  return end - 9;
}
