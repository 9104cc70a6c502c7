import type { Fault, FaultKind } from './fault.js';
import { invalidOption } from './testkit-error.js';

const KINDS: ReadonlySet<FaultKind> = new Set<FaultKind>([
  'crash',
  'crash-on-message',
  'hang',
  'slow',
  'partition',
  'link-delay',
  'model',
  'tool',
  'clock-jump',
  'redeliver',
]);

const NUMBERS = [
  'at',
  'nth',
  'ms',
  'forMs',
  'healAfterMs',
  'call',
  'count',
  'retryAfterMs',
] as const;

/**
 * A schedule written by hand (a replay, a regression test) is checked before it runs: a fault
 * of an unknown kind or with a negative or non-finite number is refused, naming the fault and
 * the field, rather than silently doing nothing.
 */
export function checkSchedule(schedule: unknown): readonly Fault[] {
  if (!Array.isArray(schedule)) throw invalidOption('schedule', schedule, 'a list of faults');
  schedule.forEach((fault: unknown, i) => {
    const f = fault as Record<string, unknown> | null;
    if (typeof f !== 'object' || f === null || !KINDS.has(f.kind as FaultKind)) {
      throw invalidOption(`schedule[${i}].kind`, f?.kind, [...KINDS].join(' | '));
    }
    for (const field of NUMBERS) {
      const v = f[field];
      if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
        throw invalidOption(`schedule[${i}].${field}`, v, 'a finite number >= 0');
      }
    }
  });
  return schedule as readonly Fault[];
}
