import { describe, expect, it } from 'vitest';
import { ReplayCache } from '../src/internal/replay-cache.js';

describe('handshake replay cache', () => {
  it('refuses a key seen within the window and forgets it after', () => {
    const cache = new ReplayCache(1000, 10);
    expect(cache.add('k', 0)).toBe('added');
    expect(cache.add('k', 999)).toBe('replayed');
    expect(cache.add('k', 1001)).toBe('added');
  });

  it('never holds more than its capacity and refuses (fails closed) when full of live keys', () => {
    const cache = new ReplayCache(1000, 3);
    for (const k of ['a', 'b', 'c']) expect(cache.add(k, 0)).toBe('added');
    expect(cache.add('d', 10)).toBe('full');
    expect(cache.size).toBe(3);
    expect(cache.add('d', 2000)).toBe('added');
    expect(cache.size).toBe(1);
  });
});
