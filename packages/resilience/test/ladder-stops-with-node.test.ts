// The degradation ladder stops with its node: once `node.stop()` aborted `node.signal`, it no
// longer follows its levels' health, so it reports no level change and no event.
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { CircuitBreaker } from '@warden/machines';
import { describe, expect, it } from 'vitest';
import {
  DegradationLadder,
  isResilienceError,
  type Level,
  type ResilienceEvent,
} from '../src/index.js';
import { FakeBreaker } from './fake-breaker.js';

describe('a degradation ladder and its node', () => {
  it('reports no level change once its node stopped, and unsubscribes from every health', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'ladder-stop', clock });
    const primary = new FakeBreaker();
    const events: ResilienceEvent[] = [];
    const changes: (string | undefined)[] = [];
    const levels: Level<string, string>[] = [
      { name: 'primary', health: primary, serve: (q) => `P(${q})` },
      { name: 'static', serve: () => 'S' },
    ];
    const ladder = new DegradationLadder({
      clock: node.clock,
      levels,
      signal: node.signal,
      observer: (e) => events.push(e),
    });
    ladder.onLevelChange((to) => changes.push(to));
    primary.set('open');
    expect(changes).toEqual(['static']);
    const seen = events.length;

    await node.stop();
    expect(primary.listeners).toBe(0);
    primary.set('closed');
    expect(changes).toEqual(['static']);
    expect(events.length).toBe(seen);
    const error = await ladder.execute('q').catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_CLOSED')).toBe(true);
  });

  it('with a breaker that stops with the same node, leaves no timer and no event behind', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'ladder-breaker-stop', clock });
    const breaker = new CircuitBreaker({
      clock: node.clock,
      signal: node.signal,
      failure: { threshold: 1 },
    });
    const events: ResilienceEvent[] = [];
    const ladder = new DegradationLadder({
      clock: node.clock,
      levels: [
        { name: 'primary', health: breaker, serve: () => breaker.execute(() => 'P') },
        { name: 'static', serve: () => 'S' },
      ],
      signal: node.signal,
      observer: (e) => events.push(e),
    });
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
    expect(ladder.level).toBe('static');
    const seen = events.length;
    await node.stop();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(600_000);
    expect(events.length).toBe(seen);
    expect(ladder.level).toBe('static');
  });

  it('is closed from the start when its signal had already aborted', async () => {
    const primary = new FakeBreaker();
    const ladder = new DegradationLadder({
      clock: new TestClock(),
      levels: [{ name: 'primary', health: primary, serve: () => 'P' }],
      signal: AbortSignal.abort(),
    });
    expect(primary.listeners).toBe(0);
    const error = await ladder.execute('q').catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_CLOSED')).toBe(true);
  });
});
