import {
  type Envelope,
  ERROR_CODES,
  type ErrorData,
  type ExitReason,
  Pid,
  type Ref,
  type TraceContext,
} from '@warden/core';

/**
 * Envelopes on the wire: one MessagePack array each, `[kind, to, ...]`, kinds numbered below.
 * Pids travel as the pid extension; exit reasons and error data as plain data (an error
 * reason's local-only `cause` is dropped).
 *
 * `envelopeFromWire` is the schema check every inbound envelope passes before the node sees it:
 * a known kind with its exact arity, a `to` pid of this node, a `from` pid of the authenticated
 * peer (its node; and its incarnation, except for exits and DOWNs), bounded refs and reasons, error codes from core's closed table.
 *
 * A send, cast or call may end with one more item, the sender's trace context
 * `[traceparent]` or `[traceparent, tracestate]` (absent: none). It is telemetry, not a signal:
 * its content is checked by the node, which drops a bad one and delivers the message.
 */
export const KIND = {
  send: 0,
  cast: 1,
  call: 2,
  reply: 3,
  link: 4,
  unlink: 5,
  exit: 6,
  monitor: 7,
  demonitor: 8,
  down: 9,
} as const;

type ReplyEnvelope = Extract<Envelope, { kind: 'reply' }>;

/**
 * Fields per kind; a reply may also have 5 (with an error) or 6 (released), a send, cast or call
 * one more (its trace context).
 */
const ARITY = [3, 3, 5, 4, 3, 3, 5, 4, 4, 5] as const;
const MAX_REF = 300;
const MAX_TEXT = 64 * 1024;
const ERROR_CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);
const ATOMS: ReadonlySet<string> = new Set([
  'normal',
  'shutdown',
  'kill',
  'killed',
  'noproc',
  'noconnection',
]);

export function reasonToWire(reason: ExitReason): unknown {
  if (typeof reason === 'string' || reason.tag === 'shutdown') return reason;
  return reason.code === undefined
    ? { tag: 'error', name: reason.name, message: reason.message }
    : { tag: 'error', name: reason.name, message: reason.message, code: reason.code };
}

/** A trace context as the wire carries it: `[traceparent]` or `[traceparent, tracestate]`. */
export function traceToWire(trace: TraceContext): string[] {
  return trace.tracestate === undefined
    ? [trace.traceparent]
    : [trace.traceparent, trace.tracestate];
}

/**
 * The trace context item of an envelope as the node takes it: the wire's array as an object, or
 * `null` for any other shape, which the node drops as malformed (never the message).
 */
export function traceFromWire(item: unknown): unknown {
  if (!Array.isArray(item) || item.length < 1 || item.length > 2) return null;
  return item.length === 1
    ? { traceparent: item[0] }
    : { traceparent: item[0], tracestate: item[1] };
}

export function envelopeToWire(e: Envelope): unknown[] {
  switch (e.kind) {
    case 'send':
    case 'cast':
      return e.trace === undefined
        ? [KIND[e.kind], e.to, e.message]
        : [KIND[e.kind], e.to, e.message, traceToWire(e.trace)];
    case 'call':
      return e.trace === undefined
        ? [KIND.call, e.to, e.from, e.ref, e.request]
        : [KIND.call, e.to, e.from, e.ref, e.request, traceToWire(e.trace)];
    case 'reply': {
      const error =
        e.error === undefined
          ? undefined
          : { _tag: 'WardenError', code: e.error.code, message: e.error.message };
      if (e.released === true) return [KIND.reply, e.to, e.ref, e.value, error ?? null, true];
      return error === undefined
        ? [KIND.reply, e.to, e.ref, e.value]
        : [KIND.reply, e.to, e.ref, e.value, error];
    }
    case 'link':
    case 'unlink':
      return [KIND[e.kind], e.to, e.from];
    case 'exit':
      return [KIND.exit, e.to, e.from, reasonToWire(e.reason), e.link];
    case 'monitor':
    case 'demonitor':
      return [KIND[e.kind], e.to, e.from, e.ref];
    case 'down':
      return [KIND.down, e.to, e.from, e.ref, reasonToWire(e.reason)];
  }
}

/** The authenticated peer and this node, against which envelopes are checked. */
export interface WireParties {
  readonly self: string;
  readonly peer: string;
  readonly peerIncarnation: string;
}

export type Checked =
  | { readonly ok: true; readonly envelope: Envelope }
  | { readonly ok: false; readonly reason: string };

/** `checkWireEnvelope`, its answer wrapped. */
export function envelopeFromWire(
  raw: unknown,
  parties: WireParties,
  destinations?: readonly Pid[],
): Checked {
  const checked = checkWireEnvelope(raw, parties, destinations);
  return typeof checked === 'string'
    ? { ok: false, reason: checked }
    : { ok: true, envelope: checked };
}

/**
 * The checked envelope, or the reason it is refused. `to` is a pid of this node, or the index of
 * one in the frame's `destinations` (which `frameFromWire` has checked are all of this node).
 */
export function checkWireEnvelope(
  raw: unknown,
  parties: WireParties,
  destinations?: readonly Pid[],
): Envelope | string {
  if (!Array.isArray(raw)) return 'envelope is not an array';
  const kind = raw[0];
  if (typeof kind !== 'number' || !Number.isInteger(kind) || kind < 0 || kind > 9) {
    return `unknown envelope kind ${String(kind).slice(0, 20)}`;
  }
  const arity = ARITY[kind] as number;
  const traced = raw.length === arity + 1 && kind <= KIND.call;
  if (
    raw.length !== arity &&
    !traced &&
    !(kind === KIND.reply && (raw.length === 5 || raw.length === 6))
  ) {
    return `envelope kind ${kind} has ${raw.length} fields`;
  }
  const to = checkTo(raw[1], parties, destinations);
  if (typeof to === 'string') return to;
  switch (kind) {
    case KIND.send:
    case KIND.cast: {
      const envelope: Extract<Envelope, { kind: 'send' | 'cast' }> = {
        kind: kind === KIND.send ? 'send' : 'cast',
        to,
        message: raw[2],
      };
      // Checked by the node, which drops a bad one: typed here as what it should be.
      if (traced) envelope.trace = traceFromWire(raw[3]) as TraceContext;
      return envelope;
    }
    case KIND.reply:
      return checkReply(raw, to);
  }
  // `from` names a process of the authenticated peer node. Exits and DOWNs may name a pid of an
  // earlier incarnation of that node (the `noproc` answer to a link or monitor of a stale pid);
  // every other signal comes from a live process, hence from the current incarnation.
  const from = raw[2];
  if (
    !(from instanceof Pid) ||
    from.node !== parties.peer ||
    (from.incarnation !== parties.peerIncarnation && kind !== KIND.exit && kind !== KIND.down)
  ) {
    return 'from is not a pid of the authenticated peer';
  }
  switch (kind) {
    case KIND.link:
      return { kind: 'link', to, from };
    case KIND.unlink:
      return { kind: 'unlink', to, from };
    case KIND.exit: {
      const reason = checkReason(raw[3]);
      if (reason === undefined) return 'bad exit reason';
      if (typeof raw[4] !== 'boolean') return 'bad link flag';
      return { kind: 'exit', to, from, reason, link: raw[4] };
    }
  }
  const ref = checkRef(raw[3]);
  if (ref === undefined) return 'bad ref';
  switch (kind) {
    case KIND.call: {
      const envelope: Extract<Envelope, { kind: 'call' }> = {
        kind: 'call',
        to,
        from,
        ref,
        request: raw[4],
      };
      if (traced) envelope.trace = traceFromWire(raw[5]) as TraceContext;
      return envelope;
    }
    case KIND.monitor:
      return { kind: 'monitor', to, from, ref };
    case KIND.demonitor:
      return { kind: 'demonitor', to, from, ref };
    default: {
      const reason = checkReason(raw[4]);
      if (reason === undefined) return 'bad down reason';
      return { kind: 'down', to, from, ref, reason };
    }
  }
}

/**
 * `[3, to, ref, value]`, `[3, to, ref, value, error]`, or the released form
 * `[3, to, ref, value, error-or-nil, true]` (decision 0013): the sixth item is exactly `true`.
 */
function checkReply(raw: unknown[], to: Pid): Envelope | string {
  const ref = checkRef(raw[2]);
  if (ref === undefined) return 'bad ref';
  const reply: ReplyEnvelope = { kind: 'reply', to, ref, value: raw[3] };
  const released = raw.length === 6;
  if (released && raw[5] !== true) return 'bad released flag';
  if (raw.length === 5 || (released && raw[4] !== null)) {
    const error = checkErrorData(raw[4]);
    if (error === undefined) return 'bad error data';
    reply.error = error;
  }
  if (released) reply.released = true;
  return reply;
}

/** An envelope's `to`: a pid of this node, or the index of one in the frame's destinations. */
function checkTo(
  to: unknown,
  parties: WireParties,
  destinations: readonly Pid[] | undefined,
): Pid | string {
  if (typeof to === 'number') {
    if (destinations === undefined || !Number.isInteger(to) || to < 0 || to >= destinations.length)
      return 'bad destination index';
    return destinations[to] as Pid;
  }
  return to instanceof Pid && to.node === parties.self ? to : 'to is not a pid of this node';
}

/**
 * A BATCH's envelopes, checked whole: all of them, or the reason the first bad one is refused,
 * so that nothing of a frame reaches the node unless every envelope in it is sound.
 *
 * A send or cast, the bulk of any flood, is checked here and left in its wire form: its item is
 * its destination pid, and the node takes it with `receiveMessage(to, raw[2], cast)`, so no
 * envelope object is made for it. Every other item is the checked envelope.
 */
export function checkBatch(
  raws: readonly unknown[],
  parties: WireParties,
  destinations: readonly Pid[] | undefined,
): (Envelope | Pid)[] | string {
  const checked = new Array<Envelope | Pid>(raws.length);
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i];
    if (
      Array.isArray(raw) &&
      (raw.length === 3 || raw.length === 4) &&
      (raw[0] === KIND.send || raw[0] === KIND.cast)
    ) {
      const to = checkTo(raw[1], parties, destinations);
      if (typeof to === 'string') return to;
      checked[i] = to;
      continue;
    }
    const envelope = checkWireEnvelope(raw, parties, destinations);
    if (typeof envelope === 'string') return envelope;
    checked[i] = envelope;
  }
  return checked;
}

function checkRef(v: unknown): Ref | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_REF ? (v as Ref) : undefined;
}

function text(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_TEXT;
}

/** A fresh, well-formed exit reason, or undefined. */
export function checkReason(v: unknown): ExitReason | undefined {
  if (typeof v === 'string') return ATOMS.has(v) ? (v as ExitReason) : undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const r = v as {
    tag?: unknown;
    detail?: unknown;
    name?: unknown;
    message?: unknown;
    code?: unknown;
  };
  if (r.tag === 'shutdown')
    return Object.hasOwn(r, 'detail') ? { tag: 'shutdown', detail: r.detail } : undefined;
  if (r.tag !== 'error' || !text(r.name) || !text(r.message)) return undefined;
  if (r.code === undefined) return { tag: 'error', name: r.name, message: r.message };
  if (!text(r.code)) return undefined;
  return { tag: 'error', name: r.name, message: r.message, code: r.code };
}

function checkErrorData(v: unknown): ErrorData | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const e = v as { _tag?: unknown; code?: unknown; message?: unknown };
  if (e._tag !== 'WardenError' || typeof e.code !== 'string' || !ERROR_CODE_SET.has(e.code)) {
    return undefined;
  }
  if (!text(e.message)) return undefined;
  return { _tag: 'WardenError', code: e.code as ErrorData['code'], message: e.message };
}
