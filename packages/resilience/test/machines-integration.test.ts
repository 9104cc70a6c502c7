// Issues 4 + 5: the CircuitBreaker of @warden/machines composed with resilience policies and as
// the health of a degradation level.
import { TestClock } from '@warden/core/testing';
import { CircuitBreaker, isMachinesError } from '@warden/machines';
import { describe, expect, it } from 'vitest';
import {
  bulkhead,
  DegradationLadder,
  type LevelHealth,
  retry,
  timeout,
  wrap,
} from '../src/index.js';
import { track } from './settle.js';

const reset = () => Object.assign(new Error('reset'), { code: 'ECONNRESET' });

describe('CircuitBreaker inside wrap(retry, breaker, timeout, bulkhead)', () => {
  it('threads the signal through the breaker and retries only while the breaker lets calls through', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      clock,
      failure: { threshold: 2 },
      openTimeout: { initialMs: 60_000 },
    });
    const policy = wrap(
      retry({ clock, maxAttempts: 5, baseMs: 10, jitter: 'none' }),
      breaker,
      timeout(1000, { clock }),
      bulkhead({ clock, maxConcurrent: 2 }),
    );
    let calls = 0;
    const out = track(
      policy.execute(({ signal }) => {
        expect(signal).toBeInstanceOf(AbortSignal);
        calls++;
        throw reset();
      }),
    );
    await clock.advance(1000);
    // two failures trip the breaker; the third attempt meets ERR_BREAKER_OPEN, which the default
    // classifier treats as permanent: the retry stops instead of hammering an open breaker.
    expect(calls).toBe(2);
    expect(breaker.state).toBe('open');
    expect(isMachinesError(out.error, 'ERR_BREAKER_OPEN')).toBe(true);
  });

  it('passes a hung call to the timeout beneath the breaker, which counts it as a failure', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({ clock, failure: { threshold: 1 } });
    const policy = wrap(breaker, timeout(100, { clock }));
    const out = track(policy.execute(() => new Promise(() => {})));
    await clock.advance(100);
    expect((out.error as { code: string }).code).toBe('ERR_TIMEOUT');
    expect(breaker.state).toBe('open');
  });
});

describe('CircuitBreaker as the health of a degradation level', () => {
  it('moves the ladder down when the breaker trips and back up when it half-opens', async () => {
    const clock = new TestClock();
    const breaker = new CircuitBreaker({
      clock,
      failure: { threshold: 1 },
      openTimeout: { initialMs: 5000, jitter: 0 },
    });
    const health: LevelHealth = breaker; // satisfies the interface as it is
    let primaryUp = false;
    const ladder = new DegradationLadder<string, string>({
      clock,
      levels: [
        {
          name: 'primary',
          health,
          serve: (q) =>
            breaker.execute(() => {
              if (!primaryUp) throw reset();
              return `P(${q})`;
            }),
        },
        { name: 'later', queue: true },
      ],
    });
    const changes: (string | undefined)[] = [];
    ladder.onLevelChange((to) => changes.push(to));
    const first = await ladder.execute('a'); // fails, trips, is queued
    expect(first.queued).toBe(true);
    expect(ladder.level).toBe('later');
    const result = first.queued ? track(first.result) : undefined;
    primaryUp = true;
    await clock.advance(5000); // half-open: the queued request is replayed as the trial
    expect(result?.value).toEqual({ level: 'primary', value: 'P(a)' });
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['later', 'primary']);
  });
});
