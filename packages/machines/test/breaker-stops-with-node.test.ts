// A breaker stops with its node: after `node.stop()` its open timer is cleared (nothing keeps
// the process alive) and it reports no event and no state change.
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { type BreakerEvent, CircuitBreaker } from '../src/index.js';

const down = async (): Promise<never> => {
  throw new Error('down');
};

describe('a breaker and its node', () => {
  it('clears its open timer and reports nothing once its node stopped', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'breaker-stop', clock });
    const events: BreakerEvent[] = [];
    const changes: string[] = [];
    const breaker = new CircuitBreaker({
      clock: node.clock,
      signal: node.signal,
      failure: { threshold: 1 },
      openTimeout: { initialMs: 1000 },
      onEvent: (e) => events.push(e),
    });
    breaker.onStateChange((to) => changes.push(to));
    await breaker.execute(down).catch(() => {});
    expect(breaker.state).toBe('open');
    const timersWhileOpen = clock.pendingTimers;
    expect(timersWhileOpen).toBeGreaterThan(0);
    const seen = events.length;

    await node.stop();
    expect(clock.pendingTimers).toBe(timersWhileOpen - 1);
    await clock.advance(5000);
    breaker.isolate();
    breaker.reset();
    expect(events.length).toBe(seen);
    expect(changes).toEqual(['open']);
  });

  it('arms no open timer when its signal had already aborted', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      clock,
      signal: AbortSignal.abort(),
      failure: { threshold: 1 },
    });
    await breaker.execute(down).catch(() => {});
    expect(breaker.state).toBe('open');
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects a signal that is not an AbortSignal, naming the field', () => {
    expect(() => new CircuitBreaker({ signal: 'stop' as unknown as AbortSignal })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', field: 'signal' }),
    );
  });
});
