import { randomUUID } from 'node:crypto';
import type { Clock } from '@warden/core';
import type { RecordInput } from '../dead-letter-queue.js';
import type { DeadLetterEntry, LedgerRecord } from '../dead-letter-store.js';
import { isResilienceError } from '../errors.js';
import { describeError } from '../events.js';

/** Ledger lines an entry keeps, the latest: an entry that fails replay after replay stays small. */
const HISTORY = 10;

/**
 * A new entry for failed work, its ledger opened with a `recorded` line. It takes its id from
 * `nextId` only once everything else is known, so a failure that cannot be described spends none.
 */
export function createEntry<I>(
  failure: RecordInput<I>,
  clock: Clock,
  nextId: () => string,
): DeadLetterEntry<I> {
  const { error } = failure;
  const attempts = failure.attempts ?? (isResilienceError(error) ? error.attempts : undefined) ?? 1;
  const code = (error as { code?: unknown } | null)?.code;
  const now = clock.now();
  const reason = describeError(error);
  return {
    id: nextId(),
    traceId: failure.traceId ?? randomUUID(),
    input: failure.input,
    reason,
    code: typeof code === 'string' ? code : undefined,
    attempts,
    replays: 0,
    recordedAt: now,
    history: [{ time: now, action: 'recorded', reason }],
  };
}

/** The entry after one more failed replay: the new reason, one more attempt, one more line. */
export function withFailedReplay<I>(
  current: DeadLetterEntry<I>,
  error: unknown,
  clock: Clock,
): DeadLetterEntry<I> {
  const line: LedgerRecord = {
    time: clock.now(),
    action: 'replay_failed',
    reason: describeError(error),
  };
  return {
    ...current,
    reason: line.reason,
    attempts: current.attempts + 1,
    replays: current.replays + 1,
    history: [...current.history, line].slice(-HISTORY),
  };
}
