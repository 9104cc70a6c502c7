import { invalidArgument } from './errors.js';

/**
 * The poison-message rule (beyond OTP): a message that crashed its handler `threshold` times
 * within `windowMs` is never handed to the handler again; it goes to dead letters with reason
 * `poison-message` (a call with it is rejected with `ERR_POISON_MESSAGE`). A supervisor keeps one
 * guard per child across restarts, so a message re-sent after every restart cannot crash-loop it.
 */
export interface PoisonGuard {
  readonly threshold: number;
  /** The message's identity for counting; undefined means "not tracked". */
  keyOf(message: unknown): string | undefined;
  isQuarantined(key: string, now: number): boolean;
  /** Records a crash; returns the crash count inside the window. */
  recordCrash(key: string, now: number): number;
}

export interface PoisonGuardOptions {
  /** Crashes by the same message before it is quarantined. */
  readonly threshold: number;
  /** Crashes older than this (ms on the node's clock) are forgotten. Default 60 000. */
  readonly windowMs?: number;
  /** Identity of a message. Default: its JSON text, when it has one and it is under 4 KiB. */
  readonly key?: (message: unknown) => string | undefined;
  /** Most distinct messages tracked at once; the oldest is forgotten first. Default 1000. */
  readonly maxTracked?: number;
}

const MAX_DEFAULT_KEY_LENGTH = 4096;

export function isPoisonGuard(value: unknown): value is PoisonGuard {
  if (typeof value !== 'object' || value === null) return false;
  const g = value as Record<string, unknown>;
  return (
    typeof g.threshold === 'number' &&
    typeof g.keyOf === 'function' &&
    typeof g.isQuarantined === 'function' &&
    typeof g.recordCrash === 'function'
  );
}

function defaultKey(message: unknown): string | undefined {
  try {
    const text = JSON.stringify(message);
    return text !== undefined && text.length <= MAX_DEFAULT_KEY_LENGTH ? text : undefined;
  } catch {
    return undefined;
  }
}

export function createPoisonGuard(options: PoisonGuardOptions): PoisonGuard {
  const { threshold } = options;
  const windowMs = options.windowMs ?? 60_000;
  const maxTracked = options.maxTracked ?? 1000;
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw invalidArgument('poison.threshold', threshold, 'an integer >= 1');
  }
  if (!(windowMs > 0)) throw invalidArgument('poison.windowMs', windowMs, 'a number > 0');
  if (!Number.isInteger(maxTracked) || maxTracked < 1) {
    throw invalidArgument('poison.maxTracked', maxTracked, 'an integer >= 1');
  }
  const keyOf = options.key ?? defaultKey;
  const crashes = new Map<string, number[]>();

  const recent = (key: string, now: number): number[] => {
    const times = (crashes.get(key) ?? []).filter((t) => t >= now - windowMs);
    if (times.length === 0) crashes.delete(key);
    else crashes.set(key, times);
    return times;
  };

  return {
    threshold,
    keyOf,
    isQuarantined: (key, now) => crashes.has(key) && recent(key, now).length >= threshold,
    recordCrash(key, now) {
      const times = recent(key, now);
      times.push(now);
      crashes.delete(key);
      crashes.set(key, times);
      if (crashes.size > maxTracked) {
        const oldest = crashes.keys().next().value;
        if (oldest !== undefined) crashes.delete(oldest);
      }
      return times.length;
    },
  };
}
