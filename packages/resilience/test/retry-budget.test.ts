// Issue 5.1: a retry budget shared by many callers, over a sliding window on the clock.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { isResilienceError, type ResilienceEvent, RetryBudget } from '../src/index.js';
import { thrown } from './settle.js';

describe('RetryBudget', () => {
  it('allows at most minRetries + ratio * requests withdrawals in the window', () => {
    const clock = new TestClock();
    const budget = new RetryBudget({ clock, ratio: 0.1, minRetries: 2 });
    for (let i = 0; i < 50; i++) budget.deposit();
    let granted = 0;
    for (let i = 0; i < 100; i++) if (budget.tryWithdraw()) granted++;
    expect(granted).toBe(2 + 5);
    expect(budget.balance).toBe(0);
  });

  it('forgets requests and retries once they leave the sliding window', async () => {
    const clock = new TestClock();
    const budget = new RetryBudget({ clock, ratio: 0.5, minRetries: 0, windowMs: 1000, slots: 10 });
    for (let i = 0; i < 10; i++) budget.deposit();
    expect(budget.balance).toBe(5);
    for (let i = 0; i < 5; i++) expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
    await clock.advance(999);
    expect(budget.balance).toBe(0); // still inside the window
    await clock.advance(1);
    expect(budget.balance).toBe(0); // deposits and withdrawals left together
    budget.deposit();
    budget.deposit();
    expect(budget.balance).toBe(1);
  });

  it('slides slot by slot rather than resetting all at once', async () => {
    const clock = new TestClock();
    const budget = new RetryBudget({ clock, ratio: 1, minRetries: 0, windowMs: 1000, slots: 10 });
    budget.deposit(); // slot 0
    await clock.advance(500);
    budget.deposit(); // slot 5
    await clock.advance(500); // slot 0 has left the window, slot 5 has not
    expect(budget.balance).toBe(1);
  });

  it('reports a denial as an event', () => {
    const clock = new TestClock();
    const events: ResilienceEvent[] = [];
    const budget = new RetryBudget({
      clock,
      ratio: 0,
      minRetries: 0,
      observer: (e) => events.push(e),
    });
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(false);
    expect(events).toEqual([
      { type: 'retry.budget_denied', time: 0, source: 'retry-budget', deposits: 1, withdrawals: 0 },
    ]);
  });

  it.each([
    ['ratio', { ratio: -0.1 }],
    ['minRetries', { minRetries: 1.5 }],
    ['windowMs', { windowMs: 0 }],
    ['slots', { slots: 0 }],
  ])('rejects a bad %s naming it', (field, bad) => {
    const error = thrown(() => new RetryBudget({ clock: new TestClock(), ...(bad as object) }));
    expect(isResilienceError(error, 'ERR_INVALID_OPTION')).toBe(true);
    expect((error as { field: string }).field).toBe(field);
  });
});
