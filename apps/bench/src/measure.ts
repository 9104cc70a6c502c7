import type { Sample } from './workload.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** Settles the heap between runs, so one run's garbage is not collected on the next one's time. */
async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  gc?.();
  await new Promise((resolve) => setImmediate(resolve));
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

/** One run, after a forced GC when available, failing on a timeout or a stray exception. */
export async function measureOnce(run: () => Promise<Sample>, timeoutMs: number): Promise<Sample> {
  await settle();
  return guarded(run(), timeoutMs);
}
