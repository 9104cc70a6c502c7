import { describeValue, WardenError } from '../errors.js';
import { CallRequest, CastMessage } from '../messages.js';
import type { Process } from './process.js';

/**
 * The poison-message rule as the actor runner applies it (decision 0005): before a handler sees a
 * message, its key is looked up in the process's guard; a quarantined message is a
 * `poison-message` dead letter (a call is answered with `ERR_POISON_MESSAGE`) and never handled.
 * Returns the message's key, or null when it is quarantined and must not be handled.
 */
export function screenPoison(p: Process, message: unknown): string | undefined | null {
  const guard = p.poison;
  if (guard === undefined) return undefined;
  const payload =
    message instanceof CallRequest
      ? message.request
      : message instanceof CastMessage
        ? message.message
        : message;
  const key = guard.keyOf(payload);
  if (key === undefined || !guard.isQuarantined(key, p.core.clock.now())) return key;
  p.core.deadLetter(p.pid, payload, 'poison-message');
  if (message instanceof CallRequest) {
    const error = new WardenError(
      'ERR_POISON_MESSAGE',
      `request quarantined: ${describeValue(payload)}`,
    );
    p.core.calls.reply(message, undefined, error.toJSON());
  }
  return null;
}

/** Counts a crash against the key of the message that caused it; announces a quarantine. */
export function recordPoisonCrash(p: Process, key: string | undefined): void {
  const guard = p.poison;
  if (guard === undefined || key === undefined) return;
  const crashes = guard.recordCrash(key, p.core.clock.now());
  if (crashes >= guard.threshold && p.core.events.wants('poison.quarantined')) {
    p.core.events.emit({
      type: 'poison.quarantined',
      time: p.core.clock.now(),
      pid: p.pid,
      key,
      crashes,
    });
  }
}
