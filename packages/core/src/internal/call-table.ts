import { type ErrorData, WardenError } from '../errors.js';
import { type ExitReason, formatReason } from '../exit-reason.js';
import type { Pid } from '../pid.js';
import type { Ref } from '../ref.js';
import { signalError } from './signal-error.js';

interface PendingCall<W> {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly watcher: W;
  readonly target: Pid;
  timer: object | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Calls in flight, keyed by the ref of the monitor each call holds on its server (like OTP's
 * process aliases). The first of reply, DOWN, timeout or abort settles a call; whatever comes
 * after finds no entry, so a late reply never reaches the caller (it becomes a dead letter).
 */
export class CallTable<W> {
  readonly #pending = new Map<Ref, PendingCall<W>>();
  readonly #clearTimer: (timer: object) => void;

  constructor(clearTimer: (timer: object) => void) {
    this.#clearTimer = clearTimer;
  }

  get size(): number {
    return this.#pending.size;
  }

  add(
    ref: Ref,
    watcher: W,
    target: Pid,
    resolve: (value: unknown) => void,
    reject: (error: unknown) => void,
  ): void {
    this.#pending.set(ref, {
      resolve,
      reject,
      watcher,
      target,
      timer: undefined,
      signal: undefined,
      onAbort: undefined,
    });
  }

  has(ref: Ref): boolean {
    return this.#pending.has(ref);
  }

  setTimer(ref: Ref, timer: object): void {
    const call = this.#pending.get(ref);
    if (call !== undefined) call.timer = timer;
  }

  setSignal(ref: Ref, signal: AbortSignal, onAbort: () => void): void {
    const call = this.#pending.get(ref);
    if (call === undefined) return;
    call.signal = signal;
    call.onAbort = onAbort;
    signal.addEventListener('abort', onAbort, { once: true });
  }

  /** Removes the call and returns it (for the caller to release the server-side monitor). */
  take(ref: Ref): { watcher: W; target: Pid; settle: Settle } | undefined {
    const call = this.#pending.get(ref);
    if (call === undefined) return undefined;
    this.#pending.delete(ref);
    if (call.timer !== undefined) this.#clearTimer(call.timer);
    if (call.signal !== undefined && call.onAbort !== undefined) {
      call.signal.removeEventListener('abort', call.onAbort);
    }
    return { watcher: call.watcher, target: call.target, settle: new Settle(call) };
  }

  /** Forgets every call made by `watcher` (it exited; nobody awaits those promises any more). */
  abandon(ref: Ref): void {
    this.take(ref);
  }

  /** Rejects every pending call with `error` (node stop). */
  rejectAll(error: WardenError): void {
    for (const ref of [...this.#pending.keys()]) this.take(ref)?.settle.fail(error);
  }
}

/** The two ways a taken call ends. */
export class Settle {
  readonly #call: PendingCall<unknown>;

  constructor(call: PendingCall<unknown>) {
    this.#call = call;
  }

  ok(value: unknown): void {
    this.#call.resolve(value);
  }

  fail(error: unknown): void {
    this.#call.reject(error);
  }

  /** Maps a reply carrying error data back to a typed error. */
  reply(value: unknown, error: ErrorData | undefined): void {
    if (error === undefined) this.ok(value);
    else this.fail(new WardenError(error.code, error.message));
  }

  /** The server went away before replying: OTP's `noproc`, `nodedown` or the server's reason. */
  down(target: Pid, reason: ExitReason): void {
    this.fail(callDownError(target, reason));
  }
}

export function callDownError(target: Pid, reason: ExitReason): WardenError {
  if (reason === 'noproc') return new WardenError('ERR_NOPROC', `no process ${target}`, { reason });
  if (reason === 'noconnection') {
    return new WardenError('ERR_NODEDOWN', `node ${target.node} is down (calling ${target})`, {
      reason,
    });
  }
  // Only a server that was alive at the call exits during it: news from elsewhere, no stack.
  return signalError('ERR_EXIT', `${target} exited during the call: ${formatReason(reason)}`, {
    reason,
  });
}
