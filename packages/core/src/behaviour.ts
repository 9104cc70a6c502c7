import type { Ignore, NoReply, Reply, Stop } from './actor-result.js';
import type { ActorContext } from './context.js';
import type { ExitReason } from './exit-reason.js';
import type { CallRequest } from './messages.js';

type MaybePromise<T> = T | Promise<T>;

/**
 * The callbacks of a gen_server-style actor. The runtime (not the user) owns the loop, crash
 * capture and signals; these only compute the next state. Handlers may be async: the actor handles
 * one message at a time either way.
 *
 * - `init(args, ctx)` returns the first state, `IGNORE`, or `stop(reason)`; throwing fails the start.
 * - `handleCall(request, from, state, ctx)` returns `reply(v, s)`, `noreply(s)` or `stop(...)`.
 * - `handleCast(message, state, ctx)` and `handleInfo(message, state, ctx)` return the next state
 *   or `stop(...)`. Plain `send`s and trapped EXIT / DOWN messages go to `handleInfo`.
 * - `terminate(reason, state, ctx)` runs when the actor stops by returning `stop`, when a handler
 *   throws, and, if it traps exits, when its parent tells it to stop. A kill never runs it.
 */
export interface ActorSpec<S, A = void, Call = any, Cast = any, Info = any> {
  init?(args: A, ctx: ActorContext): MaybePromise<S | Ignore | Stop<S>>;
  handleCall?(
    request: Call,
    from: CallRequest<Call>,
    state: S,
    ctx: ActorContext,
  ): MaybePromise<Reply<S> | NoReply<S> | Stop<S>>;
  handleCast?(message: Cast, state: S, ctx: ActorContext): MaybePromise<S | Stop<S>>;
  handleInfo?(message: Info, state: S, ctx: ActorContext): MaybePromise<S | Stop<S>>;
  terminate?(reason: ExitReason, state: S, ctx: ActorContext): MaybePromise<void>;
}

const ACTOR: unique symbol = Symbol.for('warden.actor');

/** A behaviour made by `defineActor`. */
export interface ActorBehaviour<S = any, A = void> {
  readonly [ACTOR]: true;
  readonly spec: ActorSpec<S, A>;
}

/**
 * A process written as one async function with selective receive. It ends `normal` when the
 * function returns and with `{ tag: 'error' }` when it throws.
 */
export type ProcessFunction<A = void> = (ctx: ActorContext, args: A) => unknown;

export type Behaviour<A = any> = ActorBehaviour<any, A> | ProcessFunction<A>;

/**
 * Defines a gen_server-style actor.
 *
 * @example
 * const counter = defineActor<number, number>({
 *   init: (start) => start,
 *   handleCall: (_req, _from, n) => reply(n, n),
 *   handleCast: (by: number, n) => n + by,
 * });
 * const pid = node.spawn(counter, { args: 41 });
 */
export function defineActor<S, A = void, Call = any, Cast = any, Info = any>(
  spec: ActorSpec<S, A, Call, Cast, Info>,
): ActorBehaviour<S, A> {
  return Object.freeze({ [ACTOR]: true as const, spec: spec as ActorSpec<S, A> });
}

export function isActorBehaviour(value: unknown): value is ActorBehaviour {
  return (
    typeof value === 'object' && value !== null && (value as { [ACTOR]?: unknown })[ACTOR] === true
  );
}
