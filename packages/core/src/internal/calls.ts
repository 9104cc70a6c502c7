import type { Address, CallOptions } from '../context.js';
import { type ErrorData, invalidArgument, WardenError } from '../errors.js';
import { CallRequest } from '../messages.js';
import { Pid } from '../pid.js';
import type { Ref } from '../ref.js';
import { type Envelope, refusalReason } from '../transport.js';
import { CallTable } from './call-table.js';
import type { NodeCore } from './node-core.js';
import type { Process } from './process.js';
import { NEVER } from './runner.js';

export const DEFAULT_CALL_TIMEOUT = 5000;

/**
 * `call` and its reply path (OTP-SEMANTICS.md section 12). Each call monitors its server under
 * the call's ref; whichever of reply, DOWN, timeout or abort comes first settles it, and anything
 * after finds no entry: a late reply becomes a `late-reply` dead letter, never a resolution.
 */
export class Calls {
  readonly core: NodeCore;
  readonly table: CallTable;

  constructor(core: NodeCore) {
    this.core = core;
    this.table = new CallTable((t) => core.clock.clearTimer(t));
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
    if (from.dead) return NEVER;
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
    return new Promise<R>((resolve, reject) => {
      const ref = this.core.newRef();
      this.table.add(ref, from, pid, resolve as (v: unknown) => void, reject);
      this.core.signals.watch(from, ref, pid);
      if (!this.table.has(ref)) return; // the DOWN (noproc / nodedown) already settled it
      if (this.core.isLocal(pid)) {
        const server = this.core.local(pid) as Process;
        if (
          !this.core.router.deliver(server, new CallRequest(ref, from.pid, request), false, true)
        ) {
          this.failCall(ref, new WardenError('ERR_MAILBOX_FULL', `mailbox of ${pid} is full`));
          return;
        }
      } else {
        const envelope: Envelope = { kind: 'call', to: pid, from: from.pid, ref, request };
        const refused = refusalReason(this.core.transport?.deliver(envelope));
        if (refused !== undefined) {
          this.failCall(
            ref,
            refused === 'noconnection'
              ? new WardenError('ERR_NODEDOWN', `node ${pid.node} is down (calling ${pid})`)
              : new WardenError('ERR_INVALID_ARGUMENT', `call to ${pid} not sent: ${refused}`, {
                  field: 'request',
                }),
          );
          return;
        }
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
        this.table.setSignal(ref, signal, () =>
          this.failCall(
            ref,
            new WardenError('ERR_ABORTED', 'call aborted', { cause: signal.reason }),
          ),
        );
      }
    });
  }

  failCall(ref: Ref, error: WardenError): void {
    const call = this.table.take(ref);
    if (call === undefined) return;
    call.watcher.monitorsOut?.delete(ref);
    this.core.signals.dropRemoteEnd(call.watcher.pid, ref, call.target);
    call.settle.fail(error);
  }

  /** Routes a reply (or an error for the caller) to the caller's node. */
  reply(to: Pid, ref: Ref, value: unknown, error: ErrorData | undefined): void {
    if (!this.core.isLocal(to)) {
      const envelope: Envelope =
        error === undefined
          ? { kind: 'reply', to, ref, value }
          : { kind: 'reply', to, ref, value, error };
      const refused = refusalReason(this.core.transport?.deliver(envelope));
      if (refused !== undefined) this.core.deadLetter(to, value, refused);
      return;
    }
    const call = this.table.take(ref);
    if (call === undefined) {
      this.core.deadLetter(to, value, 'late-reply');
      return;
    }
    call.watcher.monitorsOut?.delete(ref);
    this.core.signals.dropRemoteEnd(call.watcher.pid, ref, call.target);
    call.settle.reply(value, error);
  }
}
