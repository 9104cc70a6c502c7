import { type ActorContext, type ExitReason, isWardenError } from '@warden/core';
import { expect } from 'vitest';

/** Waits for `{ exit: reason }` and ends with that reason (OTP's `exit/1`). */
export async function exitOnCommand(ctx: ActorContext): Promise<void> {
  const m = (await ctx.receive()) as { exit: ExitReason };
  ctx.exit(m.exit);
}

/** Never takes a message: stays alive until a signal ends it. */
export async function idle(ctx: ActorContext): Promise<void> {
  await ctx.receive(() => false);
}

/** What `fn` throws, or undefined. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Asserts an `ERR_INVALID_ARGUMENT` that names `field`. */
export function expectInvalid(error: unknown, field: string): void {
  expect(isWardenError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  expect((error as { field?: string }).field).toBe(field);
}
