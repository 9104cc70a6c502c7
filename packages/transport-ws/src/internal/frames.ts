import { Pid } from '@warden/core';
import { isValidAddress, type PeerAddress } from '../address.js';
import { MAX_CERTIFICATE_LENGTH } from './certificate.js';
import { encode } from './codec.js';
import { NODE_NAME } from './handshake.js';

/**
 * Frames: each WebSocket message is one binary MessagePack array whose first item is the frame
 * type. Every frame but ACK carries a sequence number (1, 2, 3, ... per connection and
 * direction) and acknowledges the peer's frames cumulatively.
 *
 * - `[0, seq, ack, envelopes]` or `[0, seq, ack, envelopes, destinations]` BATCH: envelopes in
 *   send order; an empty batch is a heartbeat. `destinations` (1 to 1024 pids, at most one per
 *   envelope) lets an envelope name its `to` by index.
 * - `[1, ack]` ACK: sent at the end of a tick when no frame carries the ack.
 * - `[2, seq, ack, members]` MEMBERS: `[[name, host, port, certificate], ...]`, the sender's
 *   peers, so that every node meets every other (full mesh); a receiver dials only names whose
 *   certificate the cluster key signed (an entry `[name, host, port]` without one is read, never
 *   dialed).
 * - `[3, seq, ack]` LEAVE: the sender is stopping; do not reconnect to it.
 */
export const FRAME = { batch: 0, ack: 1, members: 2, leave: 3 } as const;

export const MAX_ENVELOPES_PER_FRAME = 100_000;
/** Destinations a BATCH's table holds at most; a send to any other carries its pid inline. */
export const MAX_DESTINATIONS = 1024;
export const MAX_MEMBERS = 1024;

export interface Member {
  readonly name: string;
  readonly address: PeerAddress;
  /** Its node certificate ('' when none is known: such a member is never dialed). */
  readonly certificate: string;
}

export type Frame =
  | {
      readonly type: 'batch';
      readonly seq: number;
      readonly ack: number;
      readonly envelopes: unknown[];
      /** The frame's table of destinations, which envelopes may name their `to` by index in. */
      readonly destinations: readonly Pid[] | undefined;
    }
  | { readonly type: 'ack'; readonly ack: number }
  | {
      readonly type: 'members';
      readonly seq: number;
      readonly ack: number;
      readonly members: Member[];
    }
  | { readonly type: 'leave'; readonly seq: number; readonly ack: number };

const counter = (v: unknown): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Checks a decoded frame's shape; returns the frame or the reason it is refused. A BATCH's
 * destinations must be pids of `self`, the receiving node, so its envelopes can name them by
 * index without a check each.
 */
export function frameFromWire(raw: unknown, self: string): Frame | string {
  if (!Array.isArray(raw) || raw.length === 0) return 'frame is not an array';
  const [type, seq, ack, body] = raw as unknown[];
  switch (type) {
    case FRAME.batch: {
      if ((raw.length !== 4 && raw.length !== 5) || !counter(seq) || seq === 0 || !counter(ack))
        return 'bad batch header';
      if (!Array.isArray(body) || body.length > MAX_ENVELOPES_PER_FRAME) return 'bad batch body';
      if (raw.length === 4)
        return { type: 'batch', seq, ack, envelopes: body, destinations: undefined };
      const destinations = raw[4];
      if (
        !Array.isArray(destinations) ||
        destinations.length === 0 ||
        destinations.length > MAX_DESTINATIONS ||
        destinations.length > body.length ||
        !destinations.every((d) => d instanceof Pid)
      ) {
        return 'bad batch destinations';
      }
      if (!destinations.every((d: Pid) => d.node === self)) {
        return 'a destination is not a pid of this node';
      }
      return { type: 'batch', seq, ack, envelopes: body, destinations };
    }
    case FRAME.ack:
      return raw.length === 2 && counter(seq) ? { type: 'ack', ack: seq } : 'bad ack';
    case FRAME.members: {
      if (raw.length !== 4 || !counter(seq) || seq === 0 || !counter(ack))
        return 'bad members header';
      if (!Array.isArray(body) || body.length > MAX_MEMBERS) return 'bad members body';
      const members: Member[] = [];
      for (const m of body) {
        if (
          !Array.isArray(m) ||
          (m.length !== 3 && m.length !== 4) ||
          typeof m[0] !== 'string' ||
          !NODE_NAME.test(m[0])
        ) {
          return 'bad member';
        }
        const certificate = m.length === 4 ? m[3] : '';
        if (typeof certificate !== 'string' || certificate.length > MAX_CERTIFICATE_LENGTH) {
          return 'bad member certificate';
        }
        const address = { host: m[1], port: m[2] };
        if (!isValidAddress(address)) return 'bad member address';
        members.push({ name: m[0], address, certificate });
      }
      return { type: 'members', seq, ack, members };
    }
    case FRAME.leave:
      return raw.length === 3 && counter(seq) && seq > 0 && counter(ack)
        ? { type: 'leave', seq, ack }
        : 'bad leave';
    default:
      return 'unknown frame type';
  }
}

/** `[0, seq, ack, [...]]` around envelopes already encoded one by one, without re-encoding them. */
export function batchFrame(
  seq: number,
  ack: number,
  parts: readonly Buffer[],
  bytes: number,
): Buffer {
  const head = encode([FRAME.batch, seq, ack]);
  // `head` is a 3-item array: rewrite its header to 4 items and append the envelope array.
  const n = parts.length;
  const arrayHeader =
    n < 16
      ? Buffer.from([0x90 | n])
      : n < 0x10000
        ? Buffer.from([0xdc, n >> 8, n & 0xff])
        : Buffer.from([0xdd, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
  const out = Buffer.allocUnsafe(head.length + arrayHeader.length + bytes);
  head.copy(out, 0);
  out[0] = 0x94;
  let at = head.length;
  at += arrayHeader.copy(out, at);
  for (const part of parts) at += part.copy(out, at);
  return out;
}

export function ackFrame(ack: number): Buffer {
  return encode([FRAME.ack, ack]);
}

export function membersFrame(seq: number, ack: number, members: readonly Member[]): Buffer {
  return encode([
    FRAME.members,
    seq,
    ack,
    members.map((m) =>
      m.certificate === ''
        ? [m.name, m.address.host, m.address.port]
        : [m.name, m.address.host, m.address.port, m.certificate],
    ),
  ]);
}

export function leaveFrame(seq: number, ack: number): Buffer {
  return encode([FRAME.leave, seq, ack]);
}
