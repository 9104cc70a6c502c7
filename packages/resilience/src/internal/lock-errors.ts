import { ResilienceError } from '../errors.js';

// The resource mediator's failures, one factory per code, so that its engine reads as decisions
// and every message of a code is written once. Those about one resource name it (`resource`).

export function closedError(): ResilienceError {
  return new ResilienceError('ERR_CLOSED', 'resource mediator closed');
}

export function unknownResource(resource: unknown): ResilienceError {
  return new ResilienceError('ERR_UNKNOWN_RESOURCE', `unknown resource ${String(resource)}`, {
    resource: String(resource),
  });
}

/** `key` asked again for a resource it holds or awaits: waiting would deadlock on itself. */
export function alreadyHeldError(key: string, resources: readonly string[]): ResilienceError {
  return new ResilienceError(
    'ERR_ALREADY_HELD',
    `${key} already holds or awaits one of ${resources.join(', ')}`,
  );
}

export function notHeldError(
  key: string,
  resource: string,
  holder: string | undefined,
): ResilienceError {
  return new ResilienceError(
    'ERR_NOT_HELD',
    `${key} does not hold ${resource} (held by ${holder ?? 'nobody'})`,
    { resource },
  );
}

/** The owner exited or released everything while this request of its was still waiting. */
export function ownerGoneError(key: string): ResilienceError {
  return new ResilienceError('ERR_ABORTED', `owner ${key} is gone`);
}

export function deadlockError(resources: readonly string[], cycle: string[]): ResilienceError {
  return new ResilienceError(
    'ERR_DEADLOCK',
    `waiting for ${resources.join(', ')} would deadlock: ${cycle.join(' -> ')}`,
    { resource: resources[0] as string },
  );
}

export function lockTimeoutError(resources: readonly string[], timeoutMs: number): ResilienceError {
  return new ResilienceError(
    'ERR_LOCK_TIMEOUT',
    `no grant of ${resources.join(', ')} within ${timeoutMs} ms`,
    { resource: resources[0] as string },
  );
}

export function fencedError(
  resource: string,
  token: number,
  current: number | undefined,
): ResilienceError {
  return new ResilienceError(
    'ERR_FENCED',
    `stale fencing token ${token} for ${resource} (current: ${current ?? 'none'})`,
    { resource },
  );
}
