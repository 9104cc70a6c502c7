import type { Envelope, Pid } from '@warden/core';
import { encodeInto, encodePid } from './codec.js';
import { envelopeToWire, KIND } from './envelope-wire.js';
import { FRAME } from './frames.js';

/** Room kept before the envelopes for the frame header `[0, seq, ack, [` (at most 25 bytes). */
const HEAD = 32;
/** The smallest buffer a batch starts with. */
const MIN_CAPACITY = 256;
/** The largest: a batch that outgrows it grows as it goes (one large message does not make every later buffer large). */
const MAX_HINT = 64 * 1024;

/**
 * The pending batch of one connection, encoded as it grows: one buffer holding the envelopes'
 * MessagePack one after the other, with room before them for the frame header, which `frame`
 * writes once the count, sequence number and ack are known. The bytes on the wire are those of
 * `encode([0, seq, ack, envelopes.map(envelopeToWire)])`.
 *
 * A send or cast is written as `0x93, kind, <pid>, <message>`, the pid's bytes cached for the
 * last pid seen (senders repeat their destination); every other envelope is encoded whole.
 */
export class BatchWriter {
  #buf: Buffer;
  #at = HEAD;
  #count = 0;
  /** Capacity for the next buffer: the size of the last frame (bounded), so a steady flow rarely grows. */
  #hint = MIN_CAPACITY;
  #lastPid: Pid | undefined = undefined;
  #lastPidBytes: Uint8Array = new Uint8Array(0);

  constructor() {
    this.#buf = Buffer.allocUnsafe(MIN_CAPACITY);
  }

  /** Envelopes in the batch. */
  get count(): number {
    return this.#count;
  }

  /** Bytes of the envelopes in the batch. */
  get bytes(): number {
    return this.#at - HEAD;
  }

  /**
   * Encodes `envelope` after the batch, without adding it yet: returns its size in bytes (then
   * `commit` adds it), or throws when it cannot be encoded (nothing changes).
   */
  stage(envelope: Envelope): number {
    const start = this.#at;
    if (envelope.kind === 'send' || envelope.kind === 'cast') {
      const to = envelope.to;
      if (to !== this.#lastPid) {
        this.#lastPidBytes = encodePid(to);
        this.#lastPid = to;
      }
      const pid = this.#lastPidBytes;
      let at = this.#reserve(start, 2 + pid.length);
      const buf = this.#buf;
      buf[at++] = 0x93;
      buf[at++] = envelope.kind === 'send' ? KIND.send : KIND.cast;
      buf.set(pid, at);
      at += pid.length;
      return this.#append(at, envelope.message) - start;
    }
    return this.#append(start, envelopeToWire(envelope)) - start;
  }

  /** Adds the envelope `stage` just encoded (of `size` bytes). */
  commit(size: number): void {
    this.#at += size;
    this.#count++;
  }

  /**
   * Moves the envelope just staged (of `size` bytes) to the start of the batch, dropping the
   * envelopes before it: used once they have left in a frame of their own.
   */
  restage(size: number, from: Buffer): void {
    const at = this.#reserve(HEAD, size);
    from.copy(this.#buf, at, 0, size);
  }

  /** The staged envelope's bytes (a copy), before `restage`. */
  staged(size: number): Buffer {
    return Buffer.from(this.#buf.subarray(this.#at, this.#at + size));
  }

  /**
   * The batch as a frame `[0, seq, ack, [envelopes]]`, and a fresh empty batch. The returned
   * buffer is the frame's own (the socket may hold it until written).
   */
  frame(seq: number, ack: number): Buffer {
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
    buf[--h] = 0x94;
    const frame = buf.subarray(h, this.#at);
    this.#hint = Math.min(Math.max(MIN_CAPACITY, this.#at), MAX_HINT);
    this.#buf = Buffer.allocUnsafe(this.#hint);
    this.#at = HEAD;
    this.#count = 0;
    return frame;
  }

  /** Drops the batch. */
  clear(): void {
    this.#at = HEAD;
    this.#count = 0;
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
