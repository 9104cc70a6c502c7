// Incident replay: the thundering herd. 100 clients want one answer each, at the same
// instant, from an API rate-limited by a token bucket that answers 429 over capacity. Their retry
// strategy decides how much load they add and how soon everyone is served. The comparison
// reproduces the ordering of the AWS Architecture Blog's "Exponential Backoff And Jitter": no
// jitter is the worst, full and decorrelated jitter the best. The world is in
// thundering-herd-world.ts; docs/patterns/retry.md shows the table this run prints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compare, HERD, type Row, type StrategyName, table } from './thundering-herd-world.js';

const RETRY_DOC = join(import.meta.dirname, '..', '..', '..', 'docs', 'patterns', 'retry.md');

/** The table between `<!-- generated: thundering-herd ... -->` and `<!-- end generated -->`. */
function documentedTable(): string | undefined {
  const text = readFileSync(RETRY_DOC, 'utf8');
  const m = text.match(
    /<!-- generated: thundering-herd[^>]*-->\n([\s\S]*?)\n<!-- end generated -->/,
  );
  return m?.[1]?.trim();
}

let rows: Row[] = [];
const row = (name: StrategyName) => rows.find((r) => r.name === name) as Row;
const calls = (name: StrategyName) => row(name).calls;
const time = (name: StrategyName) => row(name).finishedMs;

beforeAll(async () => {
  rows = await compare();
  console.log(
    `thundering herd: ${HERD.clients} clients, ${HERD.ratePerSecond} requests/s (burst ${HERD.burst}), ` +
      `means of ${HERD.runs} seeded runs\n${table(rows)}`,
  );
}, 120_000);

describe('thundering herd: every strategy gets the work done', () => {
  it('serves every client in every run: 429 is transient, and no retry gives up', () => {
    expect(rows.map((r) => r.name)).toEqual([
      'fixed100',
      'fixed1000',
      'none',
      'equal',
      'decorrelated',
      'full',
    ]);
    for (const r of rows) {
      expect(r.servedEveryRun, r.label).toBe(HERD.clients);
      // each client's first call and its retries: exactly one call per client succeeds
      expect(r.calls - r.rejected, r.label).toBe(HERD.clients);
    }
  });
});

describe('thundering herd: the ordering of "Exponential Backoff And Jitter"', () => {
  it('makes the most calls and takes the longest without jitter', () => {
    for (const jittered of ['equal', 'decorrelated', 'full'] as const) {
      expect(calls('none')).toBeGreaterThan(calls(jittered));
      expect(time('none')).toBeGreaterThan(time(jittered));
    }
    // Lock-step clients meet a bucket holding one token: one winner per round, as with a
    // fixed interval, and rounds ever further apart. Nothing takes longer.
    expect(time('none')).toBe(Math.max(...rows.map((r) => r.finishedMs)));
  });

  it('finishes all the work soonest with full or decorrelated jitter', () => {
    const slower = ['none', 'equal', 'fixed1000'] as const;
    for (const best of ['full', 'decorrelated'] as const) {
      for (const other of slower)
        expect(time(best), `${best} vs ${other}`).toBeLessThan(time(other));
    }
  });

  it('makes at least 60% fewer calls with full jitter than with fixed-interval retries', () => {
    expect(calls('full')).toBeLessThanOrEqual(0.4 * calls('fixed100'));
    expect(calls('full')).toBeLessThanOrEqual(0.4 * calls('fixed1000'));
    // and decorrelated jitter too
    expect(calls('decorrelated')).toBeLessThanOrEqual(0.4 * calls('fixed100'));
  });

  it('shows in docs/patterns/retry.md exactly the table this run prints', () => {
    const documented = documentedTable();
    expect(
      documented,
      'no generated thundering-herd table in docs/patterns/retry.md',
    ).toBeDefined();
    expect(
      documented,
      'docs/patterns/retry.md is stale: paste the table printed by this test',
    ).toBe(table(rows));
  });
});
