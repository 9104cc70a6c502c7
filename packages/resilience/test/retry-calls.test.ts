// What a retry keeps per call: a signal only if an attempt reads it, the calls' deadlines on one
// timer, one listener per caller's signal, bounded however many calls pass, nothing once idle,
// and nothing after its node stops.
import { getEventListeners } from 'node:events';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { isResilienceError, type RetryContext, retry } from '../src/index.js';
import { track } from './settle.js';

/** Counts the AbortControllers made while `fn` runs (the global one, as the retry uses). */
async function controllersMadeBy(fn: () => Promise<void>): Promise<number> {
  const Original = globalThis.AbortController;
  let made = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      made++;
    }
  };
  try {
    await fn();
  } finally {
    globalThis.AbortController = Original;
  }
  return made;
}

const hang = () => new Promise<never>(() => {});

describe('retry: the attempt signal is made on first read', () => {
  afterEach(() => {
    expect(globalThis.AbortController.name).toBe('AbortController');
  });

  it('makes no AbortController for attempts that answer without reading it', async () => {
    const clock = new TestClock();
    const policy = retry({ clock, deadlineMs: 60_000 });
    const made = await controllersMadeBy(async () => {
      for (let i = 0; i < 100; i++) expect(await policy.execute(async () => i)).toBe(i);
    });
    expect(made).toBe(0);
    const read = await controllersMadeBy(async () => {
      await policy.execute(({ signal }) => signal.aborted);
    });
    expect(read).toBe(1);
  });

  it('cuts a hung attempt that never read its signal at the deadline; read later, it is aborted', async () => {
    const clock = new TestClock();
    let context: RetryContext | undefined;
    const out = track(
      retry({ clock, deadlineMs: 5000 }).execute((ctx) => {
        context = ctx;
        return hang();
      }),
    );
    await clock.advance(4999);
    expect(out.done).toBe(false);
    expect(context?.aborted).toBe(false);
    await clock.advance(1);
    expect(isResilienceError(out.error, 'ERR_RETRY_DEADLINE')).toBe(true);
    expect(context?.aborted).toBe(true);
    const signal = context?.signal as AbortSignal;
    expect(signal.aborted).toBe(true);
    expect(isResilienceError(signal.reason, 'ERR_RETRY_DEADLINE')).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('cuts an attempt at once when its caller aborts, and the signal read later carries the reason', async () => {
    const clock = new TestClock();
    const caller = new AbortController();
    let context: RetryContext | undefined;
    const out = track(
      retry({ clock, deadlineMs: 5000 }).execute(
        (ctx) => {
          context = ctx;
          return hang();
        },
        { signal: caller.signal },
      ),
    );
    await clock.settle();
    caller.abort('user left');
    await clock.settle();
    expect(isResilienceError(out.error, 'ERR_ABORTED')).toBe(true);
    expect(context?.signal.aborted).toBe(true);
    expect(context?.signal.reason).toBe('user left');
  });

  it('aborts a signal read before the deadline when the deadline passes', async () => {
    const clock = new TestClock();
    let reason: unknown;
    const out = track(
      retry({ clock, deadlineMs: 1000 }).execute(({ signal }) => {
        signal.addEventListener('abort', () => (reason = signal.reason));
        return hang();
      }),
    );
    await clock.advance(1000);
    expect(isResilienceError(out.error, 'ERR_RETRY_DEADLINE')).toBe(true);
    expect(isResilienceError(reason, 'ERR_RETRY_DEADLINE')).toBe(true);
  });
});

describe('retry: what an attempt holds is given back when it is cut', () => {
  it('tells the attempt holder at the deadline, though the work never settles', async () => {
    const clock = new TestClock();
    const policy = retry({ clock, deadlineMs: 1_000, maxAttempts: 1 });
    const cuts: unknown[] = [];
    const out = track(
      policy.execute((attempt: RetryContext) => {
        attempt.onCut({ attemptCut: (reason) => cuts.push(reason) });
        return hang();
      }),
    );
    await clock.advance(999);
    expect(cuts).toEqual([]);
    await clock.advance(1);
    expect(out.done).toBe(true);
    expect(cuts).toHaveLength(1);
    expect(isResilienceError(cuts[0], 'ERR_RETRY_DEADLINE')).toBe(true);
  });

  it('tells nobody once the holder let go, and tells a late holder at once', async () => {
    const clock = new TestClock();
    const policy = retry({ clock, deadlineMs: 1_000, maxAttempts: 1 });
    const cuts: string[] = [];
    let context: RetryContext | undefined;
    const caller = new AbortController();
    const out = track(
      policy.execute(
        (attempt: RetryContext) => {
          context = attempt;
          attempt.onCut({ attemptCut: () => cuts.push('first') });
          attempt.onCut(undefined);
          return hang();
        },
        { signal: caller.signal },
      ),
    );
    await clock.settle();
    caller.abort('gone');
    await clock.settle();
    expect(out.done).toBe(true);
    expect(cuts).toEqual([]);
    context?.onCut({ attemptCut: () => cuts.push('late') });
    expect(cuts).toEqual(['late']);
  });
});

describe('retry: the deadlines of all calls share one timer', () => {
  it('stays bounded over many quick calls while one call hangs, then cuts the hung one on time', async () => {
    const clock = new TestClock();
    const policy = retry({ clock, deadlineMs: 60_000 });
    const hung = track(policy.execute(hang));
    let most = 0;
    for (let i = 0; i < 10_000; i++) {
      await policy.execute(async () => i);
      most = Math.max(most, policy.inFlight.entries);
      if (i % 1000 === 0) await clock.advance(1); // time moves: every deadline differs
    }
    // two calls in flight at most (the hung one and the current one): 2 x 2 + 32 + 1
    expect(most).toBeLessThanOrEqual(2 * 2 + 32 + 1);
    expect(clock.pendingTimers).toBe(1);
    expect(policy.inFlight.calls).toBe(1);
    await clock.advance(60_000 - clock.now() - 1);
    expect(hung.done).toBe(false);
    await clock.advance(1);
    expect(isResilienceError(hung.error, 'ERR_RETRY_DEADLINE')).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('cuts each of many concurrent hung calls at its own deadline, in order', async () => {
    const clock = new TestClock();
    const policy = retry({ clock, deadlineMs: 1000 });
    const calls = [];
    for (let i = 0; i < 5; i++) {
      calls.push(track(policy.execute(hang)));
      await clock.advance(100);
    }
    // started at 0, 100, ..., 400; it is now 500
    for (let i = 0; i < 5; i++) {
      await clock.advance(i === 0 ? 499 : 99);
      expect(calls.map((c) => c.done)).toEqual(calls.map((_, j) => j < i));
      await clock.advance(1);
      expect(isResilienceError(calls[i]?.error, 'ERR_RETRY_DEADLINE')).toBe(true);
    }
    expect(clock.pendingTimers).toBe(0);
  });

  it('holds no timer and no listener once no call is in flight', async () => {
    const clock = new TestClock();
    const policy = retry({ clock, deadlineMs: 60_000 });
    const caller = new AbortController();
    for (let i = 0; i < 100; i++) await policy.execute(async () => i, { signal: caller.signal });
    // back-to-back calls keep the one timer and the one listener...
    expect(clock.pendingTimers).toBe(1);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    // ...which go at the next turn of the event loop
    await clock.settle();
    expect(clock.pendingTimers).toBe(0);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    expect(policy.inFlight).toEqual({ calls: 0, entries: 0, timer: false, callers: 0 });
  });
});

describe("retry: one listener per caller's signal", () => {
  it('watches many calls on one signal with one listener, and aborts them all', async () => {
    const clock = new TestClock();
    const policy = retry({ clock, deadlineMs: 60_000 });
    const caller = new AbortController();
    const calls = Array.from({ length: 50 }, () =>
      track(policy.execute(hang, { signal: caller.signal })),
    );
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    caller.abort('gone');
    await clock.settle();
    for (const call of calls) {
      expect(isResilienceError(call.error, 'ERR_ABORTED')).toBe(true);
      expect((call.error as Error).cause).toBe('gone');
    }
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  it('aborts only the calls of the signal that fired', async () => {
    const clock = new TestClock();
    const policy = retry({ clock, deadlineMs: 60_000 });
    const a = new AbortController();
    const b = new AbortController();
    const ofA = track(policy.execute(hang, { signal: a.signal }));
    const ofB = track(policy.execute(hang, { signal: b.signal }));
    a.abort();
    await clock.settle();
    expect(isResilienceError(ofA.error, 'ERR_ABORTED')).toBe(true);
    expect(ofB.done).toBe(false);
    b.abort();
    await clock.settle();
    expect(isResilienceError(ofB.error, 'ERR_ABORTED')).toBe(true);
  });

  it('keeps the watches bounded when every call brings its own signal', async () => {
    const clock = new TestClock();
    const policy = retry({ clock, deadlineMs: 60_000 });
    const hung = track(policy.execute(hang, { signal: new AbortController().signal }));
    let most = 0;
    for (let i = 0; i < 2000; i++) {
      await policy.execute(async () => i, { signal: new AbortController().signal });
      most = Math.max(most, policy.inFlight.callers);
    }
    expect(most).toBeLessThanOrEqual(2 * 2 + 32 + 1);
    expect(hung.done).toBe(false);
  });
});

describe('retry: stops with its node', () => {
  it('ends the calls in flight with ERR_CLOSED and leaves no timer when the node stops', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'retry-stop', clock });
    const caller = new AbortController();
    const policy = retry({ clock: node.clock, deadlineMs: 60_000, signal: node.signal });
    let context: RetryContext | undefined;
    const hung = track(
      policy.execute(
        (ctx) => {
          context = ctx;
          return hang();
        },
        { signal: caller.signal },
      ),
    );
    expect(clock.pendingTimers).toBe(1);
    await node.stop();
    await clock.settle();
    expect(isResilienceError(hung.error, 'ERR_CLOSED')).toBe(true);
    expect(context?.signal.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    const later = track(policy.execute(async () => 1));
    await clock.settle();
    expect(isResilienceError(later.error, 'ERR_CLOSED')).toBe(true);
  });
});
