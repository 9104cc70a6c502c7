// Observing and steering a CircuitBreaker: state changes, events, isolate/reset, save/restore.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { type BreakerEvent, CircuitBreaker, isMachinesError } from '../src/index.js';
import { attempt, down, failTimes, ok } from './breaker-helpers.js';

describe('observing a breaker', () => {
  it('tells state-change listeners each new and previous state until they unsubscribe', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      clock,
      failure: { threshold: 1 },
      openTimeout: { initialMs: 10 },
    });
    const seen: string[] = [];
    const off = breaker.onStateChange((state, previous) => seen.push(`${previous}->${state}`));
    await attempt(breaker, down);
    await clock.advance(10);
    await attempt(breaker, ok);
    off();
    await attempt(breaker, down);
    expect(seen).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
  });

  it('keeps working when a listener throws', async () => {
    const breaker = new CircuitBreaker({ clock: new TestClock(), failure: { threshold: 1 } });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const seen: string[] = [];
    breaker.onStateChange(() => {
      throw new Error('bad listener');
    });
    breaker.onStateChange((state) => seen.push(state));
    await attempt(breaker, down);
    expect(seen).toEqual(['open']);
    expect(errors).toHaveBeenCalledTimes(1);
    errors.mockRestore();
  });

  it('reports trip, half-open, reject and close decisions as events', async () => {
    const clock = new TestClock();
    const events: BreakerEvent[] = [];
    const breaker = new CircuitBreaker({
      name: 'search',
      clock,
      failure: { threshold: 1 },
      openTimeout: { initialMs: 10 },
      onEvent: (e) => events.push(e),
    });
    await attempt(breaker, down);
    await attempt(breaker, ok);
    await clock.advance(10);
    await attempt(breaker, ok);
    expect(events).toEqual([
      { type: 'breaker.trip', time: 0, name: 'search', from: 'closed', retryAt: 10, level: 0 },
      { type: 'breaker.reject', time: 0, name: 'search', state: 'open', retryAt: 10 },
      { type: 'breaker.half_open', time: 10, name: 'search' },
      { type: 'breaker.close', time: 10, name: 'search' },
    ]);
  });
});

describe('isolate and reset', () => {
  it('rejects every call with ERR_BREAKER_ISOLATED while isolated, however long it waits', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({ clock });
    breaker.isolate();
    await clock.advance(3_600_000);
    const error = await attempt(breaker, ok);
    expect(isMachinesError(error, 'ERR_BREAKER_ISOLATED')).toBe(true);
    expect(breaker.state).toBe('isolated');
  });

  it('closes on reset and forgets counters and re-open level', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      clock,
      failure: { threshold: 1 },
      openTimeout: { initialMs: 10 },
    });
    await attempt(breaker, down);
    await clock.advance(10);
    await attempt(breaker, down);
    breaker.reset();
    expect(breaker.stats).toMatchObject({ state: 'closed', level: 0, consecutiveFailures: 0 });
    expect(clock.pendingTimers).toBe(0);
    expect(await attempt(breaker, ok)).toBe('ok');
  });
});

describe('saving and restoring a breaker', () => {
  it('restores an open breaker on another clock, still waiting what it had left to wait', async () => {
    const first = new TestClock(5000);
    const breaker = new CircuitBreaker({
      clock: first,
      failure: { threshold: 1 },
      openTimeout: { initialMs: 1000 },
    });
    await attempt(breaker, down);
    await first.advance(400);
    const saved = JSON.parse(JSON.stringify(breaker.toJSON()));
    const second = new TestClock(0);
    const restored = CircuitBreaker.fromJSON(saved, { clock: second, failure: { threshold: 1 } });
    expect(restored.stats).toMatchObject({ state: 'open', retryAt: 600 });
    await second.advance(600);
    expect(restored.state).toBe('half_open');
  });

  it('keeps the counters of a closed breaker across a save', async () => {
    const breaker = new CircuitBreaker({ clock: new TestClock(), failure: { threshold: 3 } });
    await failTimes(breaker, 2);
    const restored = CircuitBreaker.fromJSON(breaker.toJSON(), {
      clock: new TestClock(),
      failure: { threshold: 3 },
    });
    await failTimes(restored, 1);
    expect(restored.state).toBe('open');
  });

  it('rejects a malformed snapshot with ERR_INVALID_SNAPSHOT naming the field', () => {
    const breaker = new CircuitBreaker({ clock: new TestClock() });
    const saved = breaker.toJSON();
    const bad = { ...saved, breaker: { ...saved.breaker, state: 'ajar' } };
    let caught: unknown;
    try {
      CircuitBreaker.fromJSON(bad, { clock: new TestClock() });
    } catch (error) {
      caught = error;
    }
    expect(isMachinesError(caught, 'ERR_INVALID_SNAPSHOT')).toBe(true);
    expect((caught as { field: string }).field).toBe('breaker.state');
  });
});
