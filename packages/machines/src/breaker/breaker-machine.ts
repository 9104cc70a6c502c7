import { assign, setup } from 'xstate';
import { type BreakerPolicy, type BreakerPolicyOptions, breakerPolicy } from './breaker-options.js';
import { applyInput, type BreakerInput } from './breaker-policy.js';
import {
  type BreakerState,
  type BreakerStateName,
  cloneBreakerState,
  initialBreakerState,
} from './breaker-state.js';

export interface BreakerMachineContext {
  readonly policy: BreakerPolicy;
  readonly breaker: BreakerState;
}

export interface BreakerMachineInput {
  readonly options?: BreakerPolicyOptions;
  /** The jitter's PRNG seed; default 0 (the model is deterministic). */
  readonly seed?: number;
  /** Starts from this state instead of a fresh closed breaker. */
  readonly breaker?: BreakerState;
}

/** One event's decision: the state it was taken from and the state it leads to. */
interface Decision {
  readonly from: BreakerState;
  readonly to: BreakerState;
}

/**
 * Decisions by event. xstate asks the guards of a transition before it runs the transition's
 * action; both need the same answer. The first to ask runs the pure policy, once, on a copy; the
 * others (the next guard, the action) read that decision. Keyed by the event object and checked
 * against the state it was taken from, so an event sent to two snapshots is decided for each.
 */
const decisions = new WeakMap<BreakerInput, Decision>();

/** The breaker state `event` leads to from `context`: the policy runs once per event. */
function decide(context: BreakerMachineContext, event: BreakerInput): BreakerState {
  const known = decisions.get(event);
  if (known !== undefined && known.from === context.breaker) return known.to;
  const to = cloneBreakerState(context.breaker);
  applyInput(context.policy, to, event);
  decisions.set(event, { from: context.breaker, to });
  return to;
}

/** A guard: does this input lead to `state`? Reads the event's one decision. */
const leadsTo =
  (state: BreakerStateName) =>
  ({ context, event }: { context: BreakerMachineContext; event: BreakerInput }): boolean =>
    decide(context, event).state === state;

/**
 * The circuit breaker as a statechart: the inspectable, visualisable model of `CircuitBreaker`.
 * Each event is decided once by the pure policy (`breaker-policy.ts`) applied to a copy of the
 * state: the guards read where that decision leads and the one action adopts it, so the machine
 * and the class make the same decision for every input (a property test checks it). Events carry
 * their time (`now`): the model reads no clock. Run as an actor (`fromMachine`), its `after`
 * transition moves an open breaker to half-open on the node clock.
 */
export const breakerMachine = setup({
  types: {
    context: {} as BreakerMachineContext,
    events: {} as BreakerInput,
    input: {} as BreakerMachineInput,
  },
  guards: {
    trips: leadsTo('open'),
    probes: leadsTo('half_open'),
    closes: leadsTo('closed'),
  },
  actions: {
    apply: assign(({ context, event }) => ({ breaker: decide(context, event) })),
    retry: assign(({ context }) => {
      const breaker = cloneBreakerState(context.breaker);
      applyInput(context.policy, breaker, { type: 'breaker.retry', now: breaker.retryAt });
      return { breaker };
    }),
  },
  delays: {
    openTimeout: ({ context }) => Math.max(0, context.breaker.retryAt - context.breaker.openedAt),
  },
}).createMachine({
  id: 'breaker',
  context: ({ input }) => {
    const policy = breakerPolicy(input?.options);
    return {
      policy,
      breaker:
        input?.breaker === undefined
          ? initialBreakerState(policy, input?.seed ?? 0)
          : cloneBreakerState(input.breaker),
    };
  },
  initial: 'closed',
  states: {
    closed: {
      on: {
        'breaker.acquire': { actions: 'apply' },
        'breaker.success': [
          { guard: 'trips', target: 'open', actions: 'apply' },
          { actions: 'apply' },
        ],
        'breaker.failure': [
          { guard: 'trips', target: 'open', actions: 'apply' },
          { actions: 'apply' },
        ],
        'breaker.isolate': { target: 'isolated', actions: 'apply' },
        'breaker.reset': { actions: 'apply' },
      },
    },
    open: {
      after: { openTimeout: { target: 'half_open', actions: 'retry' } },
      on: {
        'breaker.acquire': [
          { guard: 'probes', target: 'half_open', actions: 'apply' },
          { actions: 'apply' },
        ],
        'breaker.retry': { guard: 'probes', target: 'half_open', actions: 'apply' },
        'breaker.isolate': { target: 'isolated', actions: 'apply' },
        'breaker.reset': { target: 'closed', actions: 'apply' },
      },
    },
    half_open: {
      on: {
        'breaker.acquire': { actions: 'apply' },
        'breaker.success': [
          { guard: 'closes', target: 'closed', actions: 'apply' },
          { actions: 'apply' },
        ],
        'breaker.failure': [
          { guard: 'trips', target: 'open', actions: 'apply' },
          { actions: 'apply' },
        ],
        'breaker.release': { actions: 'apply' },
        'breaker.isolate': { target: 'isolated', actions: 'apply' },
        'breaker.reset': { target: 'closed', actions: 'apply' },
      },
    },
    isolated: {
      on: { 'breaker.reset': { target: 'closed', actions: 'apply' } },
    },
  },
});
