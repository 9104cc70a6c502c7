// The provider limiter: a pause on Retry-After, concurrency halved on a 429 and grown back.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { ProviderLimiter } from '../../src/index.js';

const limiter = (clock: TestClock, concurrency = 8) =>
  new ProviderLimiter('acme', { concurrency }, clock, () => 0, 1, undefined);

describe('provider limiter', () => {
  it('halves the concurrency once per pause and grows it back one slot per round of answers', async () => {
    const clock = new TestClock();
    const l = limiter(clock);
    const signal = new AbortController().signal;
    l.pause(1000);
    l.pause(500); // inside the same pause: no second halving
    expect(l.allowed).toBe(4);
    expect(l.concurrency.available).toBe(4); // the other four slots are held back
    await clock.advance(1000);
    for (let i = 0; i < 4; i++) l.answered();
    expect(l.allowed).toBe(5);
    expect(l.concurrency.available).toBe(5);
    l.pause(1000); // a new pause after the first ended
    expect(l.allowed).toBe(2);
    await clock.advance(1000);
    const slots = [await l.acquire(signal), await l.acquire(signal)];
    expect(l.concurrency.available).toBe(0);
    for (const s of slots) s.release();
    expect(l.concurrency.available).toBe(2);
  });

  it('never goes below one call at a time, nor above its size', async () => {
    const clock = new TestClock();
    const l = limiter(clock, 2);
    for (let i = 0; i < 5; i++) {
      l.pause(10);
      await clock.advance(10);
    }
    expect(l.allowed).toBe(1);
    for (let i = 0; i < 100; i++) l.answered();
    expect(l.allowed).toBe(2);
    expect(l.concurrency.available).toBe(2);
  });

  it('holds callers until the pause ends', async () => {
    const clock = new TestClock();
    const l = limiter(clock);
    l.pause(2000);
    let got = false;
    void l.acquire(new AbortController().signal).then(() => {
      got = true;
    });
    await clock.advance(1999);
    expect(got).toBe(false);
    await clock.advance(1);
    expect(got).toBe(true);
  });
});
