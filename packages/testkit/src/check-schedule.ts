import type { Fault, FaultKind } from './fault.js';
import { invalidOption } from './testkit-error.js';

/** The numbers each kind of fault has: the ones its run reads. */
const NUMBERS: Readonly<Record<FaultKind, readonly string[]>> = {
  crash: ['at'],
  'crash-on-message': ['nth'],
  hang: ['nth'],
  slow: ['nth', 'ms'],
  partition: ['at', 'healAfterMs'],
  'link-delay': ['at', 'ms', 'forMs'],
  model: ['call', 'count', 'retryAfterMs'],
  tool: ['nth', 'ms'],
  'clock-jump': ['at', 'ms'],
  redeliver: ['nth'],
};

const KINDS: ReadonlyMap<unknown, readonly string[]> = new Map(Object.entries(NUMBERS));

/**
 * A schedule written by hand (a replay, a regression test) is checked before it runs: a fault
 * of an unknown kind or with a negative or non-finite number is refused, naming the fault and
 * the field, rather than silently doing nothing. Each fault is checked for its own kind's
 * numbers only, so a replay pays a few reads per fault.
 */
export function checkSchedule(schedule: unknown): readonly Fault[] {
  if (!Array.isArray(schedule)) throw invalidOption('schedule', schedule, 'a list of faults');
  for (let i = 0; i < schedule.length; i++) {
    const f = schedule[i] as Record<string, unknown> | null;
    const numbers = typeof f === 'object' && f !== null ? KINDS.get(f.kind) : undefined;
    if (numbers === undefined) {
      throw invalidOption(`schedule[${i}].kind`, f?.kind, [...KINDS.keys()].join(' | '));
    }
    for (const field of numbers) {
      const v = (f as Record<string, unknown>)[field];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
        throw invalidOption(`schedule[${i}].${field}`, v, 'a finite number >= 0');
      }
    }
  }
  return schedule as readonly Fault[];
}
