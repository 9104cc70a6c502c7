import type { Clock } from '@warden/core';

/** Settles as `promise`, or rejects once `ms` have passed on `clock`: every wait has a bound. */
export async function within<T>(
  clock: Clock,
  ms: number,
  what: string,
  promise: Promise<T>,
): Promise<T> {
  let timer: ReturnType<Clock['setTimer']> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = clock.setTimer(ms, () => reject(new Error(`not within ${ms} ms: ${what}`)));
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    if (timer !== undefined) clock.clearTimer(timer);
  }
}
