import { CallRequest, CastMessage, setServer } from '../messages.js';
import { Pid, samePid } from '../pid.js';
import type { TraceContext } from '../trace-context.js';
import type { Envelope } from '../transport.js';
import { inboundContext, traceMessage } from './context-propagation.js';
import { checkEnvelope } from './envelope-check.js';
import type { NodeCore } from './node-core.js';
import type { Process } from './process.js';

/**
 * Applies an envelope other than a send or cast (`receiveInboundMessage` takes those) that
 * arrived from another node. A target of an earlier incarnation, or one that no longer exists,
 * behaves as in OTP: requests become dead letters, links get `noproc` exits, monitors get
 * `noproc` DOWNs.
 */
function handleInbound(
  core: NodeCore,
  envelope: Exclude<Envelope, { kind: 'send' | 'cast' }>,
  target: Process | undefined,
  trace: unknown,
): void {
  switch (envelope.kind) {
    case 'call': {
      // A call implies the caller's monitor of its server (decision 0013): recorded as a
      // `monitor` envelope would be, before the request, and answered with noproc the same way.
      if (target === undefined) {
        core.deadLetter(envelope.to, envelope.request, missing(core, envelope.to));
        core.signals.down(envelope.from, envelope.ref, envelope.to, 'noproc');
        return;
      }
      (target.monitorsIn ??= new Map()).set(envelope.ref, envelope.from);
      const request = new CallRequest(envelope.ref, envelope.from, envelope.request);
      setServer(request, target.pid);
      const context = trace === undefined ? undefined : inboundContext(core, target.pid, trace);
      const entry = context === undefined ? request : traceMessage(core, request, context);
      core.router.deliver(target, entry, false, false);
      return;
    }
    case 'reply':
      core.calls.deliverReply(
        envelope.to,
        envelope.ref,
        envelope.value,
        envelope.error,
        envelope.released === true,
      );
      return;
    case 'link':
      if (target === undefined) {
        core.signals.exitSignal(envelope.to, envelope.from, 'noproc', true);
        return;
      }
      (target.links ??= new Map()).set(envelope.from.key, envelope.from);
      return;
    case 'unlink':
      target?.links?.delete(envelope.from.key);
      return;
    case 'exit':
      if (target !== undefined)
        core.signals.receiveExit(target, envelope.from, envelope.reason, envelope.link);
      return;
    case 'monitor':
      if (target === undefined) {
        core.signals.down(envelope.from, envelope.ref, envelope.to, 'noproc');
        return;
      }
      (target.monitorsIn ??= new Map()).set(envelope.ref, envelope.from);
      return;
    case 'demonitor':
      // Only the watcher that made the monitor may remove it.
      if (samePid(target?.monitorsIn?.get(envelope.ref), envelope.from)) {
        target?.monitorsIn?.delete(envelope.ref);
      }
      return;
    case 'down':
      core.signals.deliverDown(envelope.to, envelope.ref, envelope.from, envelope.reason);
      return;
  }
}

/**
 * Everything a transport hands in: checked first, then counted (malformed, stopped node, wrong
 * node) or applied. Nothing a peer sends may throw out of here.
 */
export function receiveInbound(core: NodeCore, value: unknown): void {
  const envelope = checkEnvelope(value);
  if (envelope === undefined) {
    core.deadLetter(describeTarget(value), value, 'malformed-envelope');
    return;
  }
  // A send, cast or call may carry a trace context; the node checks it when it delivers.
  const trace = (value as { trace?: unknown }).trace;
  if (envelope.kind === 'send' || envelope.kind === 'cast') {
    receiveInboundMessage(core, envelope.to, envelope.message, envelope.kind === 'cast', trace);
    return;
  }
  if (core.stopped) {
    const payload = payloadOf(envelope);
    if (payload !== NO_PAYLOAD) core.deadLetter(envelope.to, payload, 'node-stopped');
    return;
  }
  // A live target is a process of this node; only a miss needs to know whether it was misrouted.
  const target = core.local(envelope.to);
  if (target === undefined && envelope.to.node !== core.name) {
    core.deadLetter(envelope.to, value, 'misrouted');
    return;
  }
  try {
    handleInbound(core, envelope, target, envelope.kind === 'call' ? trace : undefined);
  } catch (error) {
    // Last resort: nothing a peer sends may break the node.
    core.deadLetter(envelope.to, value, 'malformed-envelope');
    core.onInternalError(error);
  }
}

/**
 * An inbound send or cast: `TransportHost.receiveMessage` for a transport that read it off the
 * wire, and `receiveInbound` for one that handed over the envelope. A dead letter records the
 * message, whatever the reason.
 */
export function receiveInboundMessage(
  core: NodeCore,
  to: Pid,
  message: unknown,
  cast: boolean,
  trace?: unknown,
): void {
  if (!(to instanceof Pid)) {
    core.deadLetter(describeTarget({ to }), message, 'malformed-envelope');
    return;
  }
  if (core.stopped) {
    core.deadLetter(to, message, 'node-stopped');
    return;
  }
  const target = core.local(to);
  if (target === undefined && to.node !== core.name) {
    core.deadLetter(to, message, 'misrouted');
    return;
  }
  if (target === undefined) {
    core.deadLetter(to, message, missing(core, to));
    return;
  }
  try {
    const entry = cast ? new CastMessage(message) : message;
    const context: TraceContext | undefined =
      trace === undefined ? undefined : inboundContext(core, to, trace);
    core.router.deliver(
      target,
      context === undefined ? entry : traceMessage(core, entry, context),
      false,
      false,
    );
  } catch (error) {
    // Last resort, as in `receiveInbound`.
    core.deadLetter(to, message, 'malformed-envelope');
    core.onInternalError(error);
  }
}

/** Why a target is not here: a pid of an earlier incarnation, or no such process. */
function missing(core: NodeCore, to: Pid): 'stale-incarnation' | 'noproc' {
  return to.incarnation !== core.incarnation ? 'stale-incarnation' : 'noproc';
}

export const NO_PAYLOAD: unique symbol = Symbol('no-payload');

/** The user payload an envelope carries, if it carries one (signals carry none). */
export function payloadOf(envelope: Envelope): unknown {
  switch (envelope.kind) {
    case 'send':
    case 'cast':
      return envelope.message;
    case 'call':
      return envelope.request;
    case 'reply':
      return envelope.value;
    default:
      return NO_PAYLOAD;
  }
}

function describeTarget(value: unknown): string {
  const to = (value as { to?: { node?: unknown; id?: unknown } } | null)?.to;
  return typeof to?.node === 'string' ? `<${to.node}.${String(to.id)}>` : '<malformed>';
}
