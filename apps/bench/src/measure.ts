import type { Sample } from './workload.js';

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * A full, forced GC, once per case before its warm-up: what earlier cases left behind is not
 * collected on this case's clock.
 *
 * Not before every run: a forced full GC makes V8 throw away optimised code that embeds objects
 * which have just died (`--trace-deopt` shows "marking dependent code for deoptimization, reason:
 * weak objects"), and every run builds its actors anew, so each run after such a GC re-measured
 * the JIT's warm-up instead of the warmed-up code. It hit every contender: with a GC before every
 * run, raw fan-out took 42 ms instead of 15 ms and warden's one-at-a-time spawn churn 34 ms
 * instead of 9 ms, and ratios moved by up to 3x depending on which contender re-warmed faster.
 */
export async function settleHeap(): Promise<void> {
  await yieldToEventLoop();
  gc?.();
  await yieldToEventLoop();
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Fails the run when it takes longer than `ms`, or when something it started throws where nobody
 * catches it (xstate re-throws a failing transition in a timer): such a run's numbers mean nothing.
 */
function guarded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onStray: ((error: unknown) => void) | undefined;
  const failure = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`run did not finish within ${ms} ms`)), ms);
    timer.unref();
    onStray = reject;
  });
  const stray = (error: unknown) => onStray?.(error);
  process.on('uncaughtException', stray);
  process.on('unhandledRejection', stray);
  return Promise.race([work, failure]).finally(() => {
    clearTimeout(timer);
    process.off('uncaughtException', stray);
    process.off('unhandledRejection', stray);
  });
}

/**
 * One run, after a turn of the event loop (what the previous run left queued settles first),
 * failing on a timeout or a stray exception.
 */
export async function measureOnce(run: () => Promise<Sample>, timeoutMs: number): Promise<Sample> {
  await yieldToEventLoop();
  return guarded(run(), timeoutMs);
}
