import type { Clock } from '@warden/core';
import { AgentError } from '../../agent/agent-error.js';

/** The error for a bad option: it names the field and says what was expected. */
export function invalidOption(field: string, value: unknown, expected: string): AgentError {
  let shown: string;
  try {
    shown = typeof value === 'function' ? 'a function' : String(JSON.stringify(value));
  } catch {
    shown = String(value);
  }
  return new AgentError('ERR_INVALID_OPTION', `${field}: expected ${expected}, got ${shown}`, {
    field,
  });
}

export function checkClock(field: string, value: unknown): Clock {
  const c = value as Partial<Clock> | undefined;
  if (
    typeof c?.now !== 'function' ||
    typeof c.setTimer !== 'function' ||
    typeof c.clearTimer !== 'function'
  ) {
    throw invalidOption(field, value, 'a Clock (now, setTimer, clearTimer)');
  }
  return value as Clock;
}

/** A number in [min, max]; `Infinity` only when `max` allows it. */
export function checkNumber(field: string, value: unknown, min: number, max = Infinity): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    throw invalidOption(field, value, `a number in [${min}, ${max}]`);
  }
  if (!Number.isFinite(value) && max !== Infinity) throw invalidOption(field, value, 'finite');
  return value;
}

export function checkInt(field: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidOption(field, value, `an integer >= ${min}`);
  }
  return value;
}

export function checkName(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidOption(field, value, 'a non-empty string');
  }
  return value;
}
