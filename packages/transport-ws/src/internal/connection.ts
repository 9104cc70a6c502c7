import { type Delivery, type Envelope, Pid } from '@warden/core';
import type WebSocket from 'ws';
import { BatchWriter } from './batch-writer.js';
import { CLOSE, closeReason } from './close-codes.js';
import { decode } from './codec.js';
import type { ConnectionHost } from './connection-host.js';
import { checkBatch, KIND, traceFromWire } from './envelope-wire.js';
import {
  ackFrame,
  batchFrame,
  frameFromWire,
  leaveFrame,
  type Member,
  membersFrame,
} from './frames.js';
import type { Identity } from './handshake.js';
import { RefBinding } from './ref-binding.js';

/** Room kept in a frame for its header around the envelopes. */
const FRAME_OVERHEAD = 64;
/** A batch is flushed at this many envelopes, far below what a receiver accepts in a frame. */
const MAX_BATCH_ENVELOPES = 10_000;

/**
 * One authenticated WebSocket to one peer: batching, sequence numbers and acks, back-pressure,
 * and the inbound checks. Invariants: envelopes go out in `send` order (per connection, hence per
 * sender-receiver pair); a frame is checked whole before any of its envelopes reaches the node;
 * `lost` is reported exactly once; nothing is read or sent after it.
 */
export class Connection {
  readonly ws: WebSocket;
  readonly peer: Identity;
  /** True on the side that dialed. */
  readonly initiator: boolean;
  readonly #host: ConnectionHost;
  readonly #batch = new BatchWriter();
  readonly #parties: { self: string; peer: string; peerIncarnation: string };
  #sent = 0;
  #acked = 0;
  #received = 0;
  #ackSent = 0;
  /** The last frame sent that carried something (heartbeats do not count): settle waits for its ack. */
  #tracked = 0;
  readonly #refs = new RefBinding();
  /** A call or reply left at once during this tick (`endOfTick` clears it). */
  #eager = false;
  lastHeard: number;
  /** `open` carries envelopes; `lost` was reported; `closed` means the socket closed too. */
  state: 'open' | 'lost' | 'closed' = 'open';

  constructor(ws: WebSocket, peer: Identity, initiator: boolean, host: ConnectionHost) {
    this.ws = ws;
    this.peer = peer;
    this.initiator = initiator;
    this.#host = host;
    this.#parties = { self: host.self, peer: peer.node, peerIncarnation: peer.incarnation };
    this.lastHeard = host.clock.now();
    ws.binaryType = 'nodebuffer';
    ws.on('message', this.#onMessage);
    ws.on('close', this.#onClose);
    ws.on('error', noop);
    if (ws.isPaused) ws.resume();
  }

  /** Queues an envelope. False if it cannot be sent: lost, too large, or (sends and casts) saturated. */
  send(envelope: Envelope): Delivery {
    if (this.state !== 'open') return false;
    const batch = this.#batch;
    let size: number;
    try {
      size = batch.stage(envelope);
    } catch {
      return 'unencodable';
    }
    if (size + FRAME_OVERHEAD > this.peer.maxPayload) return 'unencodable';
    if (
      (envelope.kind === 'send' || envelope.kind === 'cast') &&
      this.ws.bufferedAmount + batch.bytes + size > this.#host.highWaterMark
    ) {
      this.#host.counters.refused++;
      return 'backpressure';
    }
    if (batch.bytes + size + FRAME_OVERHEAD > this.peer.maxPayload) {
      // The frame would be too large: what is pending leaves first, on its own, and the envelope
      // is encoded again for the fresh batch (its destination index was the old frame's).
      this.flush();
      if (this.state !== 'open') return false;
      batch.stage(envelope);
    }
    batch.commit();
    this.#refs.sent(envelope);
    this.#host.counters.envelopesOut++;
    if (batch.bytes >= this.#host.batchBytes || batch.count >= MAX_BATCH_ENVELOPES) {
      this.flush();
    } else if ((envelope.kind === 'call' || envelope.kind === 'reply') && !this.#eager) {
      // Someone waits for this one: the first call or reply of a tick leaves at once (with what
      // was pending before it); the rest of the tick batches as usual.
      this.#eager = true;
      this.flush();
      this.#host.schedule(this);
    } else if (batch.count === 1) {
      this.#host.schedule(this);
    }
    return true;
  }

  /** Writes the pending batch now (it also carries the ack). */
  flush(): void {
    if (this.state !== 'open' || this.#batch.count === 0) return;
    const frame = this.#batch.frame(++this.#sent, this.#received);
    this.#tracked = this.#sent;
    this.#ackSent = this.#received;
    this.#write(frame);
  }

  /** End of tick: flush the batch, or send a bare ack if frames arrived and none carried it. */
  endOfTick(): void {
    this.#eager = false;
    if (this.state !== 'open') return;
    this.flush();
    if (this.state === 'open' && this.#received > this.#ackSent) {
      this.#ackSent = this.#received;
      this.#write(ackFrame(this.#received));
    }
  }

  /** A heartbeat is the pending batch, or an empty one: it is sequenced and acknowledged. */
  heartbeat(): void {
    if (this.state !== 'open') return;
    if (this.#batch.count > 0) {
      this.flush();
      return;
    }
    this.#ackSent = this.#received;
    this.#write(batchFrame(++this.#sent, this.#received, [], 0));
  }

  members(members: readonly Member[]): void {
    if (this.state !== 'open') return;
    this.flush();
    this.#ackSent = this.#received;
    this.#write(membersFrame(++this.#sent, this.#received, members));
    this.#tracked = this.#sent;
  }

  /** Sends what is pending, then LEAVE, then closes with 1001. No `lost` is reported. */
  leave(): void {
    if (this.state !== 'open') return;
    this.flush();
    if (this.state !== 'open') return;
    this.#write(leaveFrame(++this.#sent, this.#received));
    this.state = 'lost';
    try {
      this.ws.close(CLOSE.leaving, 'node stopping');
    } catch {
      this.ws.terminate();
    }
  }

  /** Stops using the connection: pending envelopes are dropped, `lost` is reported once. */
  drop(code: number, reason: string, how: 'close' | 'terminate'): void {
    if (this.state !== 'open') return;
    this.state = 'lost';
    this.#batch.clear();
    try {
      if (how === 'close') this.ws.close(code, closeReason(reason));
      else this.ws.terminate();
    } catch {
      this.ws.terminate();
    }
    this.#host.lost(this, code, reason);
  }

  /**
   * Nothing pending, every frame that carried something was acknowledged, every frame received
   * was. Heartbeats are left out, so a silent peer cannot keep a `TestClock` from settling.
   */
  isIdle(): boolean {
    if (this.state !== 'open') return this.state === 'closed';
    return (
      this.#batch.count === 0 && this.#acked >= this.#tracked && this.#ackSent === this.#received
    );
  }

  #write(frame: Buffer): void {
    this.#host.counters.framesOut++;
    this.ws.send(frame, { binary: true });
    if (this.ws.bufferedAmount > this.#host.hardLimit) {
      this.drop(CLOSE.notDraining, 'peer is not draining', 'terminate');
    }
  }

  #violate(code: number, reason: string): void {
    this.#host.rejected(this, code, reason);
    this.drop(code, reason, 'close');
  }

  /** Hands a checked frame's envelopes to the node, in order. */
  #deliver(seq: number, raws: readonly unknown[], checked: readonly (Envelope | Pid)[]): void {
    this.#received = seq;
    this.#host.counters.envelopesIn += checked.length;
    for (let i = 0; i < checked.length; i++) {
      if (this.state !== 'open') return;
      const item = checked[i] as Envelope | Pid;
      if (item instanceof Pid) {
        // A send or cast, left in its wire form by the check (see `checkBatch`); the node checks
        // the trace context it may carry.
        const raw = raws[i] as unknown[];
        const trace = raw.length === 4 ? traceFromWire(raw[3]) : undefined;
        this.#host.receiveMessage(item, raw[2], raw[0] === KIND.cast, trace);
      } else if (this.#refs.admits(item)) {
        this.#host.receive(item);
      } else {
        this.#host.counters.unboundRefs++;
      }
    }
  }

  readonly #onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
    if (this.state !== 'open') return;
    this.#host.counters.framesIn++;
    this.lastHeard = this.#host.clock.now();
    if (!isBinary || !Buffer.isBuffer(data)) {
      this.#violate(CLOSE.textFrame, 'only binary frames are accepted');
      return;
    }
    const decoded = decode(data);
    if (!decoded.ok) {
      this.#violate(CLOSE.undecodable, decoded.reason);
      return;
    }
    const frame = frameFromWire(decoded.value, this.#parties.self);
    if (typeof frame === 'string') {
      this.#violate(CLOSE.violation, frame);
      return;
    }
    if (frame.type !== 'ack' && frame.seq !== this.#received + 1) {
      this.#violate(CLOSE.violation, 'frame out of sequence');
      return;
    }
    if (frame.ack > this.#sent || frame.ack < this.#acked) {
      this.#violate(CLOSE.violation, 'ack out of range');
      return;
    }
    this.#acked = frame.ack;
    switch (frame.type) {
      case 'ack':
        return;
      case 'batch': {
        const checked = checkBatch(frame.envelopes, this.#parties, frame.destinations);
        if (typeof checked === 'string') {
          this.#violate(CLOSE.violation, checked);
          return;
        }
        this.#deliver(frame.seq, frame.envelopes, checked);
        break;
      }
      case 'members':
        this.#received = frame.seq;
        this.#host.members(this, frame.members);
        break;
      default:
        this.#received = frame.seq;
        this.#host.leave(this);
    }
    if (this.state === 'open') this.#host.schedule(this);
  };

  readonly #onClose = (code: number, reason: Buffer): void => {
    if (this.state === 'open') {
      this.state = 'lost';
      this.#batch.clear();
      this.#host.lost(this, code, reason.toString('utf8').slice(0, 123) || 'socket closed');
    }
    this.state = 'closed';
    this.ws.off('message', this.#onMessage);
    this.ws.off('close', this.#onClose);
    this.#host.closed(this);
  };
}

function noop(): void {}
