import {
  type ActorBehaviour,
  type ActorContext,
  defineActor,
  isDown,
  type Ref,
  reply,
} from '@warden/core';
import { invalidOption } from '../errors.js';
import { type BreakerOptions, validateBreakerOptions } from './breaker-options.js';
import { type BreakerGrant, type BreakerMessage, isBreakerMessage } from './breaker-protocol.js';
import type { BreakerSnapshot } from './breaker-snapshot.js';
import { CircuitBreaker } from './circuit-breaker.js';

interface BreakerActorState {
  readonly breaker: CircuitBreaker;
  /** Half-open trials in flight: ticket -> (monitor of the caller, permit). */
  readonly trials: Map<number, { readonly ref: Ref; readonly permit: number }>;
  nextTicket: number;
}

/**
 * One breaker shared by every caller of a dependency, as an actor. It only grants or denies
 * permits and records outcomes: the protected call runs in the caller (`callThroughBreaker`), so
 * a slow dependency never blocks the actor's mailbox. The breaker runs on the node's clock.
 * Spawn args: an optional `BreakerSnapshot` to start from.
 *
 * A half-open trial is watched: if its caller dies before settling, its slot is given back.
 * `isFailure` does not apply here (functions do not cross to the actor): pass it to the client.
 *
 * @example
 * const pid = node.spawn(breakerActor({ name: 'search-api' }), { name: 'search-breaker' });
 * const hits = await callThroughBreaker(ctx, 'search-breaker', (signal) => search(q, signal));
 */
export function breakerActor(
  options: Omit<BreakerOptions, 'clock' | 'isFailure'> = {},
): ActorBehaviour<BreakerActorState, BreakerSnapshot | undefined> {
  validateBreakerOptions(options);
  if ('clock' in options)
    throw invalidOption('clock', options.clock, 'none: the node clock is used');
  return defineActor<BreakerActorState, BreakerSnapshot | undefined>({
    init: (snapshot, ctx) => {
      const full = { ...options, clock: ctx.node.clock };
      const breaker =
        snapshot === undefined ? new CircuitBreaker(full) : CircuitBreaker.fromJSON(snapshot, full);
      ctx.signal.addEventListener('abort', () => breaker.dispose(), { once: true });
      return { breaker, trials: new Map(), nextTicket: 1 };
    },
    handleCall: (request: BreakerMessage, from, state, ctx) => {
      const { breaker } = state;
      switch (request.$breaker) {
        case 'acquire':
          return reply(grant(state, from.from, ctx), state);
        case 'stats':
          return reply(breaker.stats, state);
        case 'save':
          return reply(breaker.toJSON(), state);
        default:
          handle(state, request, ctx);
          return reply(breaker.state, state);
      }
    },
    handleCast: (message: unknown, state, ctx) => {
      if (isBreakerMessage(message)) handle(state, message, ctx);
      return state;
    },
    handleInfo: (message: unknown, state) => {
      if (!isDown(message)) return state;
      for (const [ticket, trial] of state.trials) {
        if (trial.ref !== message.ref) continue;
        state.trials.delete(ticket);
        state.breaker.settle(trial.permit, 'release');
      }
      return state;
    },
  });
}

function grant(
  state: BreakerActorState,
  caller: Parameters<ActorContext['monitor']>[0],
  ctx: ActorContext,
): BreakerGrant {
  const { breaker } = state;
  const permit = breaker.tryAcquire();
  if (permit < 0) return { granted: false, error: breaker.rejection().toJSON() };
  let ticket = 0;
  if (breaker.state === 'half_open') {
    ticket = state.nextTicket++;
    state.trials.set(ticket, { ref: ctx.monitor(caller), permit });
  }
  return { granted: true, permit, ticket, callTimeoutMs: breaker.policy.callTimeoutMs };
}

function handle(state: BreakerActorState, message: BreakerMessage, ctx: ActorContext): void {
  switch (message.$breaker) {
    case 'settle': {
      const trial = message.ticket === 0 ? undefined : state.trials.get(message.ticket);
      if (trial !== undefined) {
        state.trials.delete(message.ticket);
        ctx.demonitor(trial.ref, { flush: true });
      }
      state.breaker.settle(message.permit, message.outcome);
      return;
    }
    case 'isolate':
      state.breaker.isolate();
      return;
    case 'reset':
      state.breaker.reset();
      return;
  }
}
