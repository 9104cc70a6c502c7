// A call begun with `retry.begin`, whose first attempt its caller makes inline, then settled or
// resumed: the deadline, the budget, the caller's abort and every retry are those of `execute`.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  isResilienceError,
  type ResilienceEvent,
  RetryBudget,
  type RetryCall,
  retry,
  TokenBucket,
} from '../src/index.js';
import { track } from './settle.js';

const transient = () => Object.assign(new Error('reset'), { code: 'ECONNRESET' });

describe('retry.begin and resume', () => {
  it('begins a call that settles when its first attempt, made by the caller, answers', () => {
    const clock = new TestClock(250);
    const budget = new RetryBudget({ clock, minRetries: 0, ratio: 1 });
    const policy = retry({ clock, deadlineMs: 1000, budget });
    const call = policy.begin() as RetryCall;
    expect(call.attempt).toBe(1);
    expect(call.startedAt).toBe(250);
    expect(call.aborted).toBe(false);
    expect(policy.inFlight.calls).toBe(1);
    expect(budget.balance).toBe(1); // the deposit is made, as execute makes it
    call.settle();
    expect(policy.inFlight.calls).toBe(0);
  });

  it('resumes a failed first attempt as execute would: the same waits, attempts and answer', async () => {
    const clock = new TestClock();
    const run = async (inline: boolean) => {
      const policy = retry({ clock, maxAttempts: 3, baseMs: 100, jitter: 'none' });
      const start = clock.now();
      const times: number[] = [];
      const attempt = (n: number) => {
        times.push(clock.now() - start);
        if (n < 3) throw transient();
        return `answer ${n}`;
      };
      let out: ReturnType<typeof track<string>>;
      if (inline) {
        const call = policy.begin() as RetryCall;
        let first: unknown;
        try {
          attempt(1);
        } catch (error) {
          first = error;
        }
        out = track(
          policy.resume(call, (ctx) => {
            if (ctx.attempt === 1) throw first;
            return attempt(ctx.attempt);
          }),
        );
      } else {
        out = track(policy.execute((ctx) => attempt(ctx.attempt)));
      }
      await clock.advance(1000);
      return { value: out.value, times };
    };
    const inline = await run(true);
    expect(inline).toEqual(await run(false));
    expect(inline).toEqual({ value: 'answer 3', times: [0, 100, 300] });
  });

  it('reports a first attempt cut at its deadline as execute does', async () => {
    const clock = new TestClock();
    const events: ResilienceEvent[] = [];
    const policy = retry({ clock, deadlineMs: 500, observer: (e) => events.push(e) });
    const call = policy.begin() as RetryCall;
    const cut: unknown[] = [];
    call.onCut({ attemptCut: (reason) => cut.push(reason) });
    await clock.advance(500);
    expect(call.aborted).toBe(true);
    expect(isResilienceError(cut[0], 'ERR_RETRY_DEADLINE')).toBe(true);
    const out = track(policy.resume(call, () => new Promise<string>(() => {})));
    await clock.settle();
    expect(isResilienceError(out.error, 'ERR_RETRY_DEADLINE')).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['retry.gave_up']);
    expect(policy.inFlight.calls).toBe(0);
  });

  it('begins nothing for an aborted caller or a stopped policy, and resumes only its own calls', async () => {
    const clock = new TestClock();
    const stop = new AbortController();
    const policy = retry({ clock, signal: stop.signal });
    expect(policy.begin(AbortSignal.abort())).toBe(undefined);
    const other = retry({ clock }).begin() as RetryCall;
    const foreign = track(policy.resume(other, () => 'no'));
    await clock.settle();
    expect(isResilienceError(foreign.error, 'ERR_INVALID_OPTION')).toBe(true);
    other.settle();
    const settled = policy.begin() as RetryCall;
    settled.settle();
    const late = track(policy.resume(settled, () => 'no'));
    await clock.settle();
    expect(isResilienceError(late.error, 'ERR_INVALID_OPTION')).toBe(true);
    stop.abort();
    expect(policy.begin()).toBe(undefined);
  });
});

describe('one clock reading, several uses', () => {
  it('lets a token bucket refill from a reading the caller has just made, never from an older one', async () => {
    const clock = new TestClock();
    const bucket = new TokenBucket({ clock, ratePerSecond: 1, burst: 1 });
    expect(bucket.tryTake(1, clock.now())).toBe(true);
    await clock.advance(1000);
    expect(bucket.tryTake(1, 999)).toBe(false); // a second has not passed at 999
    expect(bucket.tryTake(1, 1000)).toBe(true);
    await clock.advance(1000);
    expect(bucket.tryTake(1)).toBe(true);
    expect(bucket.tryTake(1, 1500)).toBe(false); // older than the bucket's last reading
  });

  it('lets a retry budget count a deposit at a reading the caller has just made', () => {
    const clock = new TestClock(5000);
    const budget = new RetryBudget({ clock, minRetries: 0, ratio: 1, windowMs: 1000, slots: 10 });
    expect(budget.clock).toBe(clock);
    budget.deposit(5000);
    expect(budget.balance).toBe(1);
    budget.deposit(3000); // older than a reading it counted at: counted now, at 5000
    expect(budget.balance).toBe(2);
  });
});
