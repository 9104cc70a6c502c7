import type { Address, CallOptions } from '../context.js';
import { type ErrorData, invalidArgument, WardenError } from '../errors.js';
import { CallRequest, serverOf } from '../messages.js';
import { Pid, samePid } from '../pid.js';
import type { Ref } from '../ref.js';
import type { TraceContext } from '../trace-context.js';
import { type Envelope, refusalReason } from '../transport.js';
import { CallTable } from './call-table.js';
import { captureContext, traceMessage } from './context-propagation.js';
import type { NodeCore } from './node-core.js';
import type { Process } from './process.js';
import { never } from './runner.js';
import { signalError } from './signal-error.js';

export const DEFAULT_CALL_TIMEOUT = 5000;

type ReplyEnvelope = Extract<Envelope, { kind: 'reply' }>;

/**
 * `call` and its reply path (docs/semantics.md section 12). Each call monitors its server under
 * the call's ref; whichever of reply, DOWN, timeout or abort comes first settles it, and anything
 * after finds no entry: a late reply becomes a `late-reply` dead letter, never a resolution.
 * Across nodes the monitor rides on the call and is released with the reply (decision 0013): one
 * envelope each way.
 */
export class Calls {
  readonly core: NodeCore;
  readonly table: CallTable<Process>;

  constructor(core: NodeCore) {
    this.core = core;
    this.table = new CallTable<Process>((t) => core.clock.clearTimer(t));
  }

  call<R>(
    from: Process,
    to: Address,
    request: unknown,
    options: CallOptions | undefined,
  ): Promise<R> {
    const timeout = options?.timeout === undefined ? DEFAULT_CALL_TIMEOUT : options.timeout;
    if (typeof timeout !== 'number' || !(timeout >= 0)) {
      return Promise.reject(invalidArgument('timeout', timeout, 'a number >= 0 or Infinity'));
    }
    if (this.core.stopped) {
      return Promise.reject(
        new WardenError('ERR_NODE_STOPPED', `node ${this.core.name} is stopped`),
      );
    }
    if (from.dead) return never();
    const pid = this.core.router.resolve(to);
    if (pid === undefined) {
      return Promise.reject(
        new WardenError('ERR_NOPROC', `no process registered as ${String(to)}`),
      );
    }
    if (!(pid instanceof Pid)) {
      return Promise.reject(invalidArgument('to', to, 'a pid or a registered name'));
    }
    const signal = options?.signal;
    if (signal?.aborted === true) {
      return Promise.reject(
        new WardenError('ERR_ABORTED', 'call aborted', { cause: signal.reason }),
      );
    }
    const context = this.core.capture ? captureContext(this.core) : undefined;
    return new Promise<R>((resolve, reject) => {
      const ref = this.core.newRef();
      this.table.add(ref, from, pid, resolve as (v: unknown) => void, reject);
      if (this.core.isLocal(pid)) {
        this.core.signals.watch(from, ref, pid);
        if (!this.table.has(ref)) return; // the noproc DOWN already settled it
        const server = this.core.local(pid) as Process;
        const call = new CallRequest(ref, from.pid, request);
        const entry = context === undefined ? call : traceMessage(this.core, call, context);
        if (!this.core.router.deliver(server, entry, false, true)) {
          this.failCall(ref, new WardenError('ERR_MAILBOX_FULL', `mailbox of ${pid} is full`));
          return;
        }
      } else {
        this.#sendCall(from, ref, pid, request, context);
      }
      if (!this.table.has(ref)) return;
      if (timeout !== Number.POSITIVE_INFINITY) {
        const timer = this.core.clock.setTimer(timeout, () =>
          this.failCall(
            ref,
            new WardenError('ERR_CALL_TIMEOUT', `call to ${pid} timed out after ${timeout} ms`),
          ),
        );
        this.table.setTimer(ref, timer);
      }
      if (signal !== undefined) {
        // Made in the abort's listener: its stack would name whoever aborted, which the reason
        // (the cause) already does; without one, as the runtime's other news of an abort.
        this.table.setSignal(ref, signal, () =>
          this.failCall(ref, signalError('ERR_ABORTED', 'call aborted', { cause: signal.reason })),
        );
      }
    });
  }

  /**
   * Sends a call to another node. The envelope implies the monitor (decision 0013): this end is
   * recorded here, the server's end when the call arrives there; a node that is not connected
   * gives the `noconnection` DOWN at once.
   */
  #sendCall(
    from: Process,
    ref: Ref,
    pid: Pid,
    request: unknown,
    context: TraceContext | undefined,
  ): void {
    (from.monitorsOut ??= new Map()).set(ref, pid);
    const transport = this.core.transport;
    let refused: ReturnType<typeof refusalReason> = 'noconnection';
    if (transport?.isConnected(pid.node) === true) {
      const envelope: Envelope = { kind: 'call', to: pid, from: from.pid, ref, request };
      if (context !== undefined) envelope.trace = context;
      refused = refusalReason(transport.deliver(envelope));
    }
    if (refused === 'noconnection') {
      this.core.signals.deliverDown(from.pid, ref, pid, 'noconnection');
    } else if (refused !== undefined) {
      // Nothing reached the server's node, so there is no monitor there to drop.
      const error = new WardenError('ERR_INVALID_ARGUMENT', `call to ${pid} not sent: ${refused}`, {
        field: 'request',
      });
      this.failCall(ref, error, false);
    }
  }

  /** Ends a call with `error`; `farEnd`: the server's end of its monitor may exist, drop it. */
  failCall(ref: Ref, error: WardenError, farEnd = true): void {
    const call = this.table.take(ref);
    if (call === undefined) return;
    call.watcher.monitorsOut?.delete(ref);
    if (farEnd) this.core.signals.dropRemoteEnd(call.watcher.pid, ref, call.target);
    call.settle.fail(error);
  }

  /**
   * Answers `request`: settles the call here if its caller is local, else sends the reply to the
   * caller's node. If this node's server still holds the monitor the call implied (decision
   * 0013), the reply releases it and says so, and the caller's node sends no demonitor; that
   * holds whichever local process replies. A request that reached this node any other way (in a
   * message from another node, or a look-alike object) names no server and releases nothing.
   */
  reply(request: CallRequest, value: unknown, error: ErrorData | undefined): void {
    const to = request.from;
    if (this.core.isLocal(to)) {
      this.deliverReply(to, request.ref, value, error, false);
      return;
    }
    const envelope: ReplyEnvelope = { kind: 'reply', to, ref: request.ref, value };
    if (error !== undefined) envelope.error = error;
    const holder = this.#holder(request);
    if (holder !== undefined) envelope.released = true;
    const refused = refusalReason(this.core.transport?.deliver(envelope));
    if (refused !== undefined) {
      // The monitor stays: the caller still learns if the server dies.
      this.core.deadLetter(to, value, refused);
      return;
    }
    holder?.monitorsIn?.delete(request.ref);
  }

  /** The live local server still holding the monitor `request`'s call implied, if any. */
  #holder(request: CallRequest): Process | undefined {
    const server = serverOf(request);
    if (server === undefined) return undefined;
    const p = this.core.local(server);
    if (p === undefined || p.dead) return undefined;
    return samePid(p.monitorsIn?.get(request.ref), request.from) ? p : undefined;
  }

  /**
   * A reply reached the caller's node: settles the call, once. Without `released` the server
   * still holds its monitor and is sent a demonitor; with it the server's node has dropped it.
   */
  deliverReply(
    to: Pid,
    ref: Ref,
    value: unknown,
    error: ErrorData | undefined,
    released: boolean,
  ): void {
    const call = this.table.take(ref);
    if (call === undefined) {
      this.core.deadLetter(to, value, 'late-reply');
      return;
    }
    call.watcher.monitorsOut?.delete(ref);
    if (!released) this.core.signals.dropRemoteEnd(call.watcher.pid, ref, call.target);
    call.settle.reply(value, error);
  }
}
