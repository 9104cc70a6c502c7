import type { Clock } from './clock.js';
import type { ErrorData } from './errors.js';
import type { ExitReason } from './exit-reason.js';
import type { Pid } from './pid.js';
import type { Ref } from './ref.js';
import type { TraceContext } from './trace-context.js';

/**
 * Everything that crosses between nodes. A transport carries envelopes in order per
 * sender-receiver pair and at most once; it never interprets them.
 *
 * A `call` implies a monitor of `to` by `from` under `ref`, as if a `monitor` envelope had come
 * first. A `reply` with `released` says the server's node has dropped that monitor already, so
 * the caller's node sends no `demonitor` (decision 0013).
 *
 * A send, cast or call may carry the sender's `trace` context (decision 0043): present only when
 * the sending node propagates context and the sender had one. The receiving node checks it as
 * data and drops it (never the message) when it is malformed.
 */
export type Envelope =
  | { kind: 'send'; to: Pid; message: unknown; trace?: TraceContext }
  | { kind: 'cast'; to: Pid; message: unknown; trace?: TraceContext }
  | { kind: 'call'; to: Pid; from: Pid; ref: Ref; request: unknown; trace?: TraceContext }
  | { kind: 'reply'; to: Pid; ref: Ref; value: unknown; error?: ErrorData; released?: true }
  | { kind: 'link'; to: Pid; from: Pid }
  | { kind: 'unlink'; to: Pid; from: Pid }
  | { kind: 'exit'; to: Pid; from: Pid; reason: ExitReason; link: boolean }
  | { kind: 'monitor'; to: Pid; from: Pid; ref: Ref }
  | { kind: 'demonitor'; to: Pid; from: Pid; ref: Ref }
  | { kind: 'down'; to: Pid; from: Pid; ref: Ref; reason: ExitReason };

export type EnvelopeKind = Envelope['kind'];

export type Delivery = boolean | 'backpressure' | 'unencodable';

/** The dead-letter reason for an envelope a transport did not accept, or undefined if it did. */
export function refusalReason(
  delivery: Delivery | undefined,
): 'noconnection' | 'backpressure' | 'unencodable' | undefined {
  if (delivery === true) return undefined;
  return delivery === undefined || delivery === false ? 'noconnection' : delivery;
}

/** What a node offers its transport: inbound envelopes and node up/down reports. */
export interface TransportHost {
  readonly name: string;
  readonly incarnation: string;
  /** The node's clock: heartbeats, timeouts and reconnect backoff must use it. */
  readonly clock: Clock;
  /** Inbound from another node. Anything malformed is counted as a dead letter, never thrown. */
  receive(envelope: unknown): void;
  /**
   * An inbound `send` (or, with `cast`, a `cast`) to `to`: the same as `receive` of that envelope,
   * for a transport that has read it off the wire itself, so the commonest envelope need not be
   * built as an object only to be taken apart again. `to` must be a `Pid`; anything else is a
   * `malformed-envelope` dead letter. `trace` is the trace context that came with it, as the peer
   * sent it (`{ traceparent, tracestate? }`): the node checks it.
   */
  receiveMessage(to: Pid, message: unknown, cast: boolean, trace?: unknown): void;
  /**
   * An envelope this node handed to the transport that will never arrive (lost in a partition,
   * dropped by back-pressure): the node counts its payload as a dead letter.
   */
  undeliverable(envelope: Envelope): void;
  nodeUp(node: string): void;
  /** Every link and monitor across the lost connection fires `noconnection`, once. */
  nodeDown(node: string): void;
}

/**
 * The router hands every non-local send, call, link, monitor and exit signal to a transport.
 * `@warden/core` ships an in-memory one; `@warden/transport-ws` implements the same interface.
 */
export interface Transport {
  attach(host: TransportHost): void;
  /**
   * Hands an envelope over. `true`: accepted (it may still be lost with the connection, then
   * reported through `undeliverable`). `false`: the destination node is not connected. Otherwise
   * the reason it was refused: `backpressure` (the peer is saturated; only sends and casts may be
   * refused for it) or `unencodable` (the payload cannot cross the wire).
   */
  deliver(envelope: Envelope): Delivery;
  isConnected(node: string): boolean;
  nodes(): string[];
  detach(): void;
}
