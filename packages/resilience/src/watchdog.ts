import {
  type ActorBehaviour,
  type ActorContext,
  type Address,
  type Caller,
  DownMessage,
  defineActor,
  type ExitReason,
  isExitReason,
  isPid,
  type Pid,
  type Ref,
  reply,
} from '@warden/core';
import { Emitter, type Observed } from './events.js';
import { checkNumber, invalidOption } from './internal/check.js';

export interface WatchdogOptions extends Observed {
  /** Silence allowed between heartbeats, in ms on the node's clock. */
  readonly timeoutMs: number;
  /** Time between the soft stop and the kill. Default 5000 ms. */
  readonly graceMs?: number;
  /**
   * The soft stop's exit reason. Default `shutdown`, which a trapping actor sees as an EXIT
   * message (time to save its state). Under OTP's rules a transient child stopped with
   * `shutdown` is not restarted; give an error reason here if it should be.
   */
  readonly stopReason?: ExitReason;
}

export const WATCHDOG_DEFAULTS = Object.freeze({
  graceMs: 5000,
  stopReason: 'shutdown' as ExitReason,
});

/** The watchdog's protocol, sent with `heartbeat`, `watch`, `unwatch` and `watched`. */
export type WatchdogMessage =
  | { readonly $watchdog: 'beat'; readonly pid: Pid }
  | { readonly $watchdog: 'watch'; readonly pid: Pid; readonly timeoutMs?: number }
  | { readonly $watchdog: 'unwatch'; readonly pid: Pid }
  | { readonly $watchdog: 'watched' }
  | { readonly $watchdog: 'check'; readonly key: string }
  | { readonly $watchdog: 'kill'; readonly key: string };

/** One row of `watched(...)`. */
export interface WatchedProcess {
  readonly pid: Pid;
  readonly timeoutMs: number;
  readonly lastBeat: number;
  readonly phase: 'alive' | 'stopping';
}

interface Watched {
  readonly pid: Pid;
  readonly timeoutMs: number;
  readonly monitor: Ref;
  lastBeat: number;
  phase: 'alive' | 'stopping';
  timer: Ref;
}

interface State {
  readonly options: WatchdogOptions;
  readonly emitter: Emitter;
  readonly graceMs: number;
  readonly stopReason: ExitReason;
  readonly watched: Map<string, Watched>;
}

function checkStopReason(reason: unknown): ExitReason {
  if (!isExitReason(reason)) throw invalidOption('stopReason', reason, 'an exit reason');
  return reason;
}

/** A malformed message is ignored: it must never crash the watchdog of everyone else. */
function isWellFormed(m: unknown): m is WatchdogMessage {
  if (typeof m !== 'object' || m === null || !('$watchdog' in m)) return false;
  return !('pid' in m) || isPid(m.pid);
}

/**
 * A watchdog, as a warden behaviour that a supervisor can restart like any child. Watched
 * actors send heartbeats; an actor silent for `timeoutMs` first gets a soft stop (exit signal
 * `shutdown`, which it may trap to save its state), and if it is still alive `graceMs` later, a
 * kill. Its supervisor then applies its own policy: the watchdog only stops, it never restarts.
 *
 * A first heartbeat from an unknown pid starts watching it, so a restarted watchdog picks its
 * flock up again from their next beats. The watchdog monitors each watched actor (never links),
 * and forgets it when it exits. One timer per watched actor per timeout, however often it beats.
 *
 * @example
 * const dog = node.spawn(Watchdog, { args: { timeoutMs: 60_000, graceMs: 5000 }, name: 'watchdog' });
 * // in the worker, after each step:
 * heartbeat(ctx, 'watchdog');
 */
export const Watchdog: ActorBehaviour<State, WatchdogOptions> = defineActor<State, WatchdogOptions>(
  {
    init: (options, ctx) => {
      checkNumber('timeoutMs', options?.timeoutMs, 0, true);
      return {
        options,
        emitter: new Emitter(options, { now: () => ctx.now() }, 'watchdog'),
        graceMs: checkNumber('graceMs', options.graceMs ?? WATCHDOG_DEFAULTS.graceMs, 0),
        stopReason: checkStopReason(options.stopReason ?? WATCHDOG_DEFAULTS.stopReason),
        watched: new Map(),
      };
    },
    handleCall: (request: WatchdogMessage, _from, state, ctx) => {
      if (!isWellFormed(request)) return reply(false, state);
      if (request.$watchdog === 'watch') {
        startWatching(state, ctx, request.pid, request.timeoutMs ?? state.options.timeoutMs);
        return reply(true, state);
      }
      if (request.$watchdog === 'unwatch') return reply(forget(state, ctx, request.pid.key), state);
      if (request.$watchdog === 'watched') {
        const rows: WatchedProcess[] = [...state.watched.values()].map((w) => ({
          pid: w.pid,
          timeoutMs: w.timeoutMs,
          lastBeat: w.lastBeat,
          phase: w.phase,
        }));
        return reply(rows, state);
      }
      return reply(false, state);
    },
    handleCast: (message: unknown, state, ctx) => handle(message, state, ctx),
    handleInfo: (message: unknown, state, ctx) => handle(message, state, ctx),
  },
);

function handle(message: unknown, state: State, ctx: ActorContext): State {
  if (message instanceof DownMessage) {
    const w = state.watched.get(message.pid.key);
    if (w?.monitor === message.ref) forget(state, ctx, message.pid.key);
    return state;
  }
  if (!isWellFormed(message)) return state;
  switch (message.$watchdog) {
    case 'beat': {
      const w = state.watched.get(message.pid.key);
      if (w === undefined) startWatching(state, ctx, message.pid, state.options.timeoutMs);
      // A beat after the soft stop is too late: the stop stands.
      else if (w.phase === 'alive') w.lastBeat = ctx.now();
      return state;
    }
    case 'check':
      check(state, ctx, message.key);
      return state;
    case 'kill': {
      const w = state.watched.get(message.key);
      if (w?.phase === 'stopping') {
        ctx.exit(w.pid, 'kill');
        state.emitter.emit({ type: 'watchdog.killed', pid: w.pid, graceMs: state.graceMs });
      }
      return state;
    }
    default:
      return state;
  }
}

function startWatching(state: State, ctx: ActorContext, pid: Pid, timeoutMs: number): void {
  // Never throw here: a bad request must not crash the watchdog of everyone else.
  const allowed = Number.isFinite(timeoutMs) && timeoutMs > 0 ? timeoutMs : state.options.timeoutMs;
  forget(state, ctx, pid.key);
  const key = pid.key;
  state.watched.set(key, {
    pid,
    timeoutMs: allowed,
    monitor: ctx.monitor(pid),
    lastBeat: ctx.now(),
    phase: 'alive',
    timer: ctx.sendAfter(ctx.self, { $watchdog: 'check', key }, allowed),
  });
  state.emitter.emit({ type: 'watchdog.watching', pid, timeoutMs: allowed });
}

/** The check timer fired: either the actor beat meanwhile (re-arm for the rest) or it is silent. */
function check(state: State, ctx: ActorContext, key: string): void {
  const w = state.watched.get(key);
  if (w === undefined || w.phase !== 'alive') return;
  const silent = ctx.now() - w.lastBeat;
  if (silent < w.timeoutMs) {
    w.timer = ctx.sendAfter(ctx.self, { $watchdog: 'check', key }, w.timeoutMs - silent);
    return;
  }
  w.phase = 'stopping';
  state.emitter.emit({ type: 'watchdog.silent', pid: w.pid, silentMs: silent });
  ctx.exit(w.pid, state.stopReason);
  w.timer = ctx.sendAfter(ctx.self, { $watchdog: 'kill', key }, state.graceMs);
}

function forget(state: State, ctx: ActorContext, key: string): boolean {
  const w = state.watched.get(key);
  if (w === undefined) return false;
  ctx.cancelTimer(w.timer);
  ctx.demonitor(w.monitor, { flush: true });
  state.watched.delete(key);
  return true;
}

/** Sends a heartbeat for `pid` (default: the sender itself, when it is a process context). */
export function heartbeat(
  sender: Pick<ActorContext, 'send'> & { readonly self?: Pid },
  watchdog: Address,
  pid?: Pid,
): void {
  const who = pid ?? sender.self;
  if (who === undefined) throw invalidOption('pid', pid, 'a pid (or a process context as sender)');
  sender.send(watchdog, { $watchdog: 'beat', pid: who });
}

/** Starts watching `pid` now (before its first beat), optionally with its own timeout. */
export function watch(
  caller: Caller,
  watchdog: Address,
  pid: Pid,
  timeoutMs?: number,
): Promise<boolean> {
  try {
    if (!isPid(pid)) throw invalidOption('pid', pid, 'a pid');
    if (timeoutMs !== undefined) checkNumber('timeoutMs', timeoutMs, 0, true);
  } catch (error) {
    return Promise.reject(error);
  }
  return caller.call(
    watchdog,
    timeoutMs === undefined ? { $watchdog: 'watch', pid } : { $watchdog: 'watch', pid, timeoutMs },
  );
}

/** Stops watching `pid`; resolves with whether it was watched. */
export function unwatch(caller: Caller, watchdog: Address, pid: Pid): Promise<boolean> {
  return caller.call(watchdog, { $watchdog: 'unwatch', pid });
}

/** The processes the watchdog watches now. */
export function watched(caller: Caller, watchdog: Address): Promise<WatchedProcess[]> {
  return caller.call(watchdog, { $watchdog: 'watched' });
}
