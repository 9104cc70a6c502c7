import type { Socket } from 'node:net';
import { Packr, Unpackr } from 'msgpackr';

/**
 * The raw baseline of the distribution workload: a `node:net` socket carrying length-prefixed
 * frames (a 4-byte big-endian length, then the payload), each payload one MessagePack value packed
 * with msgpackr under the options of warden's ws codec. A frame has warden's batch shape,
 * `[0, seq, ack, envelopes]`, and an envelope warden's shape, `[kind, to, ...]`, with a pid as a
 * plain `[node, incarnation, id]` array. No handshake, no schema check of what arrives, no
 * sequence or ack checks, no heartbeats, no back-pressure: the floor of "MessagePack over TCP".
 * With `destinations`, a frame also carries warden's table of destinations and envelopes name
 * their `to` by index: the same frames warden sends.
 */
const packr = new Packr({ useRecords: false, structuredClone: false, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, structuredClone: false, mapsAsObjects: true });

/** Envelope kinds, numbered as on warden's wire. */
export const RAW_KIND = { send: 0, call: 2, reply: 3 } as const;

/** A pid on the raw wire. */
export type RawPid = readonly [node: string, incarnation: string, id: number];

/** `[kind, to, ...]`. */
export type RawEnvelope = readonly unknown[];

/**
 * Packs `[0, seq, 0, envelopes]` behind its 4-byte length, or with `destinations`,
 * `[0, seq, 0, envelopes, destinations]`, where an envelope's `to` may be an index into them (the
 * table of destinations warden's frames carry, decision 0014).
 */
export function rawFrame(
  seq: number,
  envelopes: readonly RawEnvelope[],
  destinations?: readonly RawPid[],
): Buffer {
  const payload = packr.pack(
    destinations === undefined ? [0, seq, 0, envelopes] : [0, seq, 0, envelopes, destinations],
  );
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}

/**
 * Cuts a byte stream into frames and hands each frame's envelopes to `onEnvelope`, in order, an
 * index `to` replaced by its destination. Install with `socket.on('data', reader.push)`.
 */
export class RawFrameReader {
  #pending: Buffer | undefined = undefined;
  readonly #onEnvelope: (envelope: RawEnvelope) => void;

  constructor(onEnvelope: (envelope: RawEnvelope) => void) {
    this.#onEnvelope = onEnvelope;
  }

  readonly push = (chunk: Buffer): void => {
    let data = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    let at = 0;
    while (data.length - at >= 4) {
      const length = data.readUInt32BE(at);
      if (data.length - at - 4 < length) break;
      const frame = unpackr.unpack(data.subarray(at + 4, at + 4 + length)) as unknown[];
      at += 4 + length;
      const envelopes = frame[3] as unknown[][];
      const destinations = frame[4] as RawPid[] | undefined;
      for (const envelope of envelopes) {
        if (destinations !== undefined && typeof envelope[1] === 'number') {
          envelope[1] = destinations[envelope[1]];
        }
        this.#onEnvelope(envelope);
      }
    }
    if (at < data.length) {
      data = data.subarray(at);
      this.#pending = this.#pending === undefined ? Buffer.from(data) : data;
    } else {
      this.#pending = undefined;
    }
  };
}

/** Writes frames to a socket, numbering them. */
export class RawFrameWriter {
  readonly #socket: Socket;
  #seq = 0;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  write(envelopes: readonly RawEnvelope[], destinations?: readonly RawPid[]): void {
    this.#socket.write(rawFrame(++this.#seq, envelopes, destinations));
  }
}
