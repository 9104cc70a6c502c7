import type { Clock } from '../clock.js';
import type { CrashPhase, NodeEvent } from '../events.js';
import { type ExitReason, errorReason } from '../exit-reason.js';
import type { Pid } from '../pid.js';

/** What a crash report needs of a process (the engine's cell fits it). */
export interface Crashing {
  readonly pid: Pid;
  readonly state: unknown;
  readonly core: {
    readonly stopped: boolean;
    readonly clock: Clock;
    readonly events: { wants(type: 'actor.crashed'): boolean };
    emit(event: NodeEvent): void;
  };
}

/** How long a described message or state may be in a crash report. */
export const CRASH_REPORT_LIMIT = 300;

/** Marks the absence of a last message (a message may itself be `undefined`). */
export const NO_MESSAGE: unique symbol = Symbol('warden.no-message');

/**
 * Puts an `actor.crashed` event on the stream: the process's own code threw (OTP's crash report,
 * as opposed to a death by an exit signal). Built only when someone observes, so an unobserved
 * crash costs nothing more than before. Returns the exit reason the throw becomes.
 */
export function reportCrash(
  p: Crashing,
  error: unknown,
  phase: CrashPhase,
  lastMessage: unknown,
  withState: boolean,
): ExitReason {
  const reason = errorReason(error);
  const core = p.core;
  if (core.events.wants('actor.crashed') && !core.stopped) {
    core.emit({
      type: 'actor.crashed',
      time: core.clock.now(),
      pid: p.pid,
      phase,
      reason,
      stack: error instanceof Error && typeof error.stack === 'string' ? error.stack : undefined,
      lastMessage:
        lastMessage === NO_MESSAGE ? undefined : describeBounded(lastMessage, CRASH_REPORT_LIMIT),
      state: withState ? describeBounded(p.state, CRASH_REPORT_LIMIT) : undefined,
    });
  }
  return reason;
}

/**
 * A value as text for a log, never longer than `limit` characters: JSON where it can be, with
 * what JSON cannot say (functions, bigints, symbols, cycles) named instead of failing.
 *
 * The work is bounded too: a crashed agent's state can hold a whole conversation, and only its
 * first `limit` characters are wanted. The walk counts what it has written, counting low, and once
 * that passes `limit` it leaves every further value out; since it counted low, the text already
 * written is at least `limit` characters of exactly what the whole value's JSON begins with.
 */
export function describeBounded(value: unknown, limit: number): string {
  let text: string;
  let cut = false;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'function') text = `[function ${value.name || 'anonymous'}]`;
  else if (typeof value === 'symbol' || typeof value === 'bigint' || value === undefined) {
    text = String(value);
  } else {
    try {
      const seen = new WeakSet<object>();
      let written = 0;
      text =
        JSON.stringify(value, (key, v: unknown) => {
          if (written > limit) {
            cut = true;
            return undefined;
          }
          // Left out of the JSON, key and all: nothing written.
          if (v === undefined) return v;
          written += key.length;
          if (typeof v === 'string') written += v.length;
          if (typeof v === 'bigint') return `${v}n`;
          if (typeof v === 'function' || typeof v === 'symbol') return String(v);
          if (typeof v === 'object' && v !== null) {
            if (seen.has(v)) return '[circular]';
            seen.add(v);
          }
          written += 1;
          return v;
        }) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return cut || text.length > limit ? `${text.slice(0, limit - 3)}...` : text;
}
