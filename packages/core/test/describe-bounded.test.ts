import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeBounded } from '../src/internal/crash-report.js';

/** What a crash report wrote before its walk was bounded: the whole JSON, then cut. */
function wholeThenCut(value: unknown, limit: number): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'function') text = `[function ${value.name || 'anonymous'}]`;
  else if (typeof value === 'symbol' || typeof value === 'bigint' || value === undefined) {
    text = String(value);
  } else {
    try {
      const seen = new WeakSet<object>();
      text =
        JSON.stringify(value, (_key, v: unknown) => {
          if (typeof v === 'bigint') return `${v}n`;
          if (typeof v === 'function' || typeof v === 'symbol') return String(v);
          if (typeof v === 'object' && v !== null) {
            if (seen.has(v)) return '[circular]';
            seen.add(v);
          }
          return v;
        }) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > limit ? `${text.slice(0, limit - 3)}...` : text;
}

describe('describeBounded', () => {
  it('writes what the whole value cut to the limit would say', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.jsonValue(), fc.anything({ withBigInt: true, withMap: true, withSet: true })),
        fc.integer({ min: 4, max: 400 }),
        (value, limit) => {
          expect(describeBounded(value, limit)).toBe(wholeThenCut(value, limit));
        },
      ),
      { numRuns: 10_000 },
    );
  });

  it('stops walking a large state once the limit is written', () => {
    const visited = { count: 0 };
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      get text() {
        visited.count++;
        return `message ${i}`;
      },
    }));
    const text = describeBounded({ messages }, 300);
    expect(text).toHaveLength(300);
    expect(text.endsWith('...')).toBe(true);
    expect(text.startsWith('{"messages":[{"text":"message 0"}')).toBe(true);
    expect(visited.count).toBeLessThan(50);
  });

  it('counts nothing for a property JSON leaves out', () => {
    const value = { '    ': undefined, '': new Map() };
    expect(describeBounded(value, 5)).toBe(wholeThenCut(value, 5));
    expect(describeBounded(value, 5)).toBe('{"...');
  });

  it('names what JSON cannot say, and a cycle', () => {
    const cycle: { self?: unknown; n: bigint } = { n: 2n };
    cycle.self = cycle;
    expect(describeBounded(cycle, 300)).toBe('{"n":"2n","self":"[circular]"}');
  });
});
