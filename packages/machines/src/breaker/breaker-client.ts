import type { ActorContext, Address, Caller, Clock, Node } from '@warden/core';
import { MachinesError } from '../errors.js';
import type { BreakerGrant, BreakerMessage } from './breaker-protocol.js';
import type { BreakerSnapshot } from './breaker-snapshot.js';
import type { BreakerStateName } from './breaker-state.js';
import type { BreakerStats } from './breaker-stats.js';
import type { ExecuteOptions } from './circuit-breaker.js';
import { type CallOutcome, type OutcomeSink, runGuarded } from './guarded-call.js';

/** Who may call through a breaker actor: the node itself, or a process (its context). */
export type BreakerCaller =
  | Pick<Node, 'call' | 'cast' | 'clock'>
  | Pick<ActorContext, 'call' | 'cast' | 'node'>;

export interface BreakerClientOptions<T> extends ExecuteOptions<T> {
  /** Which errors count as failures; default: every error. Others count as successes. */
  readonly isFailure?: (error: unknown) => boolean;
}

const ACQUIRE: BreakerMessage = Object.freeze({ $breaker: 'acquire' });
const ALL_FAILURES = (): boolean => true;

/** Reports a call's outcome to the breaker actor with a cast (it never waits for the actor). */
class ActorSink implements OutcomeSink {
  readonly #caller: BreakerCaller;
  readonly #breaker: Address;
  readonly #ticket: number;

  constructor(caller: BreakerCaller, breaker: Address, ticket: number) {
    this.#caller = caller;
    this.#breaker = breaker;
    this.#ticket = ticket;
  }

  settle(permit: number, outcome: CallOutcome): void {
    const message: BreakerMessage = { $breaker: 'settle', permit, ticket: this.#ticket, outcome };
    this.#caller.cast(this.#breaker, message);
  }
}

/**
 * Runs `fn` in the caller if the breaker actor at `breaker` grants a permit, and reports the
 * outcome back. The call timeout (the breaker's `callTimeoutMs`) is enforced here, on the
 * caller's node clock. A denial rejects with `ERR_BREAKER_OPEN` / `ERR_BREAKER_ISOLATED`, or runs
 * `fallback`. Errors of the call to the actor itself (`ERR_NOPROC`, ...) reject as they are.
 */
export async function callThroughBreaker<T>(
  caller: BreakerCaller,
  breaker: Address,
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  options: BreakerClientOptions<T> = {},
): Promise<T> {
  const { signal, fallback } = options;
  if (signal?.aborted === true) throw signal.reason;
  const grant = await caller.call<BreakerGrant>(
    breaker,
    ACQUIRE,
    signal === undefined ? undefined : { signal },
  );
  if (!grant.granted) {
    const error = MachinesError.fromJSON(grant.error);
    if (fallback === undefined) throw error;
    return fallback(error);
  }
  const clock: Clock = 'clock' in caller ? caller.clock : caller.node.clock;
  return runGuarded(
    fn,
    grant.permit,
    new ActorSink(caller, breaker, grant.ticket),
    options.isFailure ?? ALL_FAILURES,
    signal,
    clock,
    grant.callTimeoutMs,
  );
}

export function breakerStats(caller: Caller, breaker: Address): Promise<BreakerStats> {
  return caller.call(breaker, { $breaker: 'stats' } satisfies BreakerMessage);
}

export function saveBreakerActor(caller: Caller, breaker: Address): Promise<BreakerSnapshot> {
  return caller.call(breaker, { $breaker: 'save' } satisfies BreakerMessage);
}

/** Opens the shared breaker by hand (a call: resolves once it is isolated). */
export function isolateBreaker(caller: Caller, breaker: Address): Promise<BreakerStateName> {
  return caller.call(breaker, { $breaker: 'isolate' } satisfies BreakerMessage);
}

/** Closes the shared breaker and forgets its counters (a call: resolves once it is reset). */
export function resetBreaker(caller: Caller, breaker: Address): Promise<BreakerStateName> {
  return caller.call(breaker, { $breaker: 'reset' } satisfies BreakerMessage);
}
