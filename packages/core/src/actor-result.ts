import type { ExitReason } from './exit-reason.js';

/** The base of handler answers, so a plain next state is told apart with one `instanceof`. */
export abstract class Directive {}

/** handleCall's answer: reply now and continue with `state`. */
export class Reply<S, R = unknown> extends Directive {
  constructor(
    readonly value: R,
    readonly state: S,
  ) {
    super();
  }
}

/** handleCall's answer: reply later with `ctx.reply(from, value)` (or never: the call times out). */
export class NoReply<S> extends Directive {
  constructor(readonly state: S) {
    super();
  }
}

/** Any handler's answer: stop with `reason` (after `terminate`), optionally replying first. */
export class Stop<S> extends Directive {
  constructor(
    readonly reason: ExitReason,
    readonly state: S,
    readonly hasReply: boolean,
    readonly replyValue: unknown,
  ) {
    super();
  }
}

/** init's answer: do not start; a supervisor keeps the child spec without a pid (OTP's `ignore`). */
export const IGNORE: unique symbol = Symbol('warden.ignore');
export type Ignore = typeof IGNORE;

export function reply<S, R>(value: R, state: S): Reply<S, R> {
  return new Reply(value, state);
}

export function noreply<S>(state: S): NoReply<S> {
  return new NoReply(state);
}

export function stop<S>(reason: ExitReason, state: S, ...replyValue: [] | [unknown]): Stop<S> {
  return new Stop(reason, state, replyValue.length > 0, replyValue[0]);
}
