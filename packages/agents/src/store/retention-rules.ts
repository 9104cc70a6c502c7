import { EFFECT_TRANSITIONS, type EffectState } from '../governance/effect-journal.js';
import type { Retention } from './agent-store.js';
import { StoreError } from './store-error.js';

/** The journal states no transition leaves: a call in one of them is settled. */
export const SETTLED_EFFECT_STATES: readonly EffectState[] = Object.freeze(
  (Object.keys(EFFECT_TRANSITIONS) as EffectState[]).filter(
    (state) => EFFECT_TRANSITIONS[state].length === 0,
  ),
);

/** Refuses a retention that would not keep the head, naming the bad field. */
export function checkRetention(retention: Retention): void {
  const { keepLast, finishedOlderThanMs, now } = retention ?? ({} as Retention);
  if (!Number.isInteger(keepLast) || keepLast < 1) {
    throw invalid('keepLast', keepLast, 'an integer of at least 1 (the head is always kept)');
  }
  if (
    finishedOlderThanMs !== undefined &&
    (typeof finishedOlderThanMs !== 'number' || !(finishedOlderThanMs >= 0))
  ) {
    throw invalid('finishedOlderThanMs', finishedOlderThanMs, 'a number of at least 0');
  }
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw invalid('now', now, 'a finite node-clock time');
  }
}

/**
 * Whether pruning removes a journal entry. A store records, with each entry, the step of the
 * thread's head checkpoint when the entry began (`begunStep`): the call belongs to that step or,
 * if the loop had not committed in its step yet, to the next. A resume from a kept checkpoint
 * needs every call that is not settled (it may still run, wait or be decided) and the calls of
 * its own step and after (a settled call replays its stored result instead of running again).
 * So an entry goes only once it is settled and began before the step before the oldest kept
 * checkpoint's step.
 */
export function isPrunableEffect(
  state: EffectState,
  begunStep: number,
  oldestKeptStep: number,
): boolean {
  return SETTLED_EFFECT_STATES.includes(state) && begunStep < oldestKeptStep - 1;
}

/** Whether a thread is removed whole: finished, and its head committed longer ago than allowed. */
export function isExpiredThread(finished: boolean, headAt: number, retention: Retention): boolean {
  const age = retention.finishedOlderThanMs;
  return finished && age !== undefined && retention.now - headAt > age;
}

function invalid(field: string, value: unknown, expected: string): StoreError {
  return new StoreError(
    'ERR_INVALID_OPTION',
    `retention.${field} must be ${expected}, got ${String(value)}`,
    { field: `retention.${field}` },
  );
}
