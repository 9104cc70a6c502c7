import type { Clock as NodeClock } from '@warden/core';
import type { ActorOptions, AnyStateMachine } from 'xstate';

/** xstate's clock interface (not exported by name). */
type XStateClock = NonNullable<ActorOptions<AnyStateMachine>['clock']>;

/**
 * xstate's clock (`setTimeout` / `clearTimeout`) on the node's clock, so a machine's delayed
 * transitions run on virtual time under `TestClock` like every other timer of the node.
 */
export function xstateClock(clock: NodeClock): XStateClock {
  return {
    setTimeout: (fn: (...args: unknown[]) => void, timeout: number) =>
      clock.setTimer(Number.isFinite(timeout) ? Math.max(0, timeout) : timeout, fn),
    clearTimeout: (handle: unknown) => {
      if (handle !== undefined) clock.clearTimer(handle as object);
    },
  };
}
