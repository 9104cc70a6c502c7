/**
 * How the property tests make a process end: every kind of exit reason a child can die with.
 * A `Crash` travels to the victim as a message (the victim ends itself as told), except `kill`,
 * which is `node.exit(pid, 'kill')` and cannot be trapped.
 */
import { type ExitReason, type Node, type Pid, type Stop, stop } from '@warden/core';
import fc from 'fast-check';

export type Crash =
  | { readonly kind: 'normal' }
  | { readonly kind: 'shutdown' }
  | { readonly kind: 'shutdown_detail'; readonly detail: string }
  | { readonly kind: 'error'; readonly message: string }
  | { readonly kind: 'kill' };

export const crashArb: fc.Arbitrary<Crash> = fc.oneof(
  fc.constant({ kind: 'normal' } as const),
  fc.constant({ kind: 'shutdown' } as const),
  fc.record({ kind: fc.constant('shutdown_detail' as const), detail: fc.constantFrom('x', 'y') }),
  fc.record({ kind: fc.constant('error' as const), message: fc.constantFrom('boom', 'bang') }),
  fc.constant({ kind: 'kill' } as const),
);

const CRASH = Symbol('crash');
interface CrashOrder {
  readonly [CRASH]: Crash;
}

/** Makes `pid` end with `crash`. */
export function inject(node: Node, pid: Pid | undefined, crash: Crash): void {
  if (pid === undefined) return;
  if (crash.kind === 'kill') node.exit(pid, 'kill');
  else node.send(pid, { [CRASH]: crash } satisfies CrashOrder);
}

/** The crash a message orders, if it is a crash order (a `kill` is never sent as a message). */
export function crashIn(message: unknown): Crash | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  return (message as Partial<CrashOrder>)[CRASH];
}

/** Ends a defineActor handler as `crash` says: a thrown error, or a stop with the reason. */
export function endAs<S>(crash: Crash, state: S): Stop<S> {
  if (crash.kind === 'error') throw new Error(crash.message);
  return stop(exitReasonOf(crash), state);
}

/** The reason the victim exits with (`kill` leaves `killed`; a thrown Error an error reason). */
export function exitReasonOf(crash: Crash): ExitReason {
  switch (crash.kind) {
    case 'kill':
      return 'killed';
    case 'error':
      return { tag: 'error', name: 'Error', message: crash.message };
    case 'shutdown_detail':
      return { tag: 'shutdown', detail: crash.detail };
    default:
      return crash.kind;
  }
}
