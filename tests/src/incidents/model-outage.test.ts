// Incident replay: the primary model fails for ten virtual minutes (an outage, or an expired
// key) and the fallback's quota runs out meanwhile. Nothing accepted is lost: every call is
// answered at once (primary, fallback, cache, static) or queued and answered on replay. The world
// is in model-outage-world.ts; docs/agents/models.md shows the table this run prints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTAGE, type OutageReport, outageTable, runOutage } from './model-outage-world.js';

const MODELS_DOC = join(import.meta.dirname, '..', '..', '..', 'docs', 'agents', 'models.md');

let reports: OutageReport[] = [];

beforeAll(async () => {
  reports = [await runOutage('outage'), await runOutage('credentials')];
  console.log(
    `model outage: primary down ${OUTAGE.downFromMs / 1000}-${OUTAGE.downToMs / 1000} s\n${outageTable(reports)}`,
  );
}, 120_000);

describe('model outage and credential expiry', () => {
  it('answers every accepted call: served + queued-then-replayed = accepted, exactly', () => {
    for (const r of reports) {
      expect(r.failed, r.scenario).toBe(0);
      expect(r.answered, r.scenario).toBe(r.accepted);
      expect(r.queued, r.scenario).toBeGreaterThan(0);
      expect(r.replayed, r.scenario).toBe(r.queued);
      expect(r.answered - r.replayed + r.replayed, r.scenario).toBe(r.accepted);
      expect(r.primary + r.fallback + r.cache + r.static + r.replayed, r.scenario).toBe(r.accepted);
    }
  });

  it('moves down the whole ladder and climbs back to the primary', () => {
    for (const r of reports) {
      expect(r.fallback, r.scenario).toBeGreaterThan(0);
      expect(r.cache, r.scenario).toBeGreaterThan(0);
      expect(r.static, r.scenario).toBeGreaterThan(0);
      expect(r.levels, r.scenario).toContain('fallback-1');
      expect(r.levels, r.scenario).toContain('cache');
      expect(r.finalLevel, r.scenario).toBe('primary');
    }
  });

  it('replays the queue only once the primary is back, and no request is answered twice', () => {
    for (const r of reports) {
      expect(r.lastReplayMs, r.scenario).toBeGreaterThanOrEqual(OUTAGE.downToMs);
      expect(r.answeredTwice, r.scenario).toBe(0);
    }
  });

  it('shows in docs/agents/models.md exactly the table this run prints', () => {
    const text = readFileSync(MODELS_DOC, 'utf8');
    const m = text.match(
      /<!-- generated: model-outage[^>]*-->\n([\s\S]*?)\n<!-- end generated -->/,
    );
    expect(
      m?.[1]?.trim(),
      'docs/agents/models.md is stale: paste the table printed by this test',
    ).toBe(outageTable(reports));
  });
});
