// Incident replay: 50 agents hit one provider's rate limit at the same instant. Naive agents
// retry every 429 after a fixed interval; warden's agents share the node's model policy. The
// world is in model-herd-world.ts; docs/agents/models.md shows the table this run prints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compareModelHerd,
  type HerdRow,
  type HerdStrategyName,
  herdTable,
  MODEL_HERD,
} from './model-herd-world.js';

const MODELS_DOC = join(import.meta.dirname, '..', '..', '..', 'docs', 'agents', 'models.md');

function documentedTable(): string | undefined {
  const text = readFileSync(MODELS_DOC, 'utf8');
  const m = text.match(/<!-- generated: model-herd[^>]*-->\n([\s\S]*?)\n<!-- end generated -->/);
  return m?.[1]?.trim();
}

let rows: HerdRow[] = [];
const row = (name: HerdStrategyName) => rows.find((r) => r.name === name) as HerdRow;

beforeAll(async () => {
  rows = await compareModelHerd();
  console.log(
    `model thundering herd: ${MODEL_HERD.agents} agents, ${MODEL_HERD.requests} requests per ` +
      `${MODEL_HERD.windowMs} ms, means of ${MODEL_HERD.runs} seeded runs\n${herdTable(rows)}`,
  );
}, 120_000);

describe('model thundering herd', () => {
  it('serves every agent in every run, whatever the strategy', () => {
    for (const r of rows) {
      expect(r.servedEveryRun, r.label).toBe(MODEL_HERD.agents);
      expect(r.calls - r.rateLimited, r.label).toBeCloseTo(MODEL_HERD.agents, 9);
    }
  });

  it("cuts the 429 responses by at least 90% with warden's default policy", () => {
    expect(row('warden').rateLimited).toBeLessThanOrEqual(0.1 * row('fixed100').rateLimited);
    // and it sends fewer requests than even the patient naive agents
    expect(row('warden').rateLimited).toBeLessThan(row('fixed1000').rateLimited);
    expect(row('warden').calls).toBeLessThan(row('fixed1000').calls);
  });

  it('meets no 429 at all once the limiter knows the published rate, and finishes as soon', () => {
    expect(row('wardenRate').rateLimited).toBe(0);
    // 50 answers at 10 per second cannot take less than 4.x seconds
    expect(row('wardenRate').finishedMs).toBeLessThanOrEqual(row('fixed1000').finishedMs + 200);
  });

  it('shows in docs/agents/models.md exactly the table this run prints', () => {
    const documented = documentedTable();
    expect(documented, 'no generated model-herd table in docs/agents/models.md').toBeDefined();
    expect(documented, 'docs/agents/models.md is stale: paste the table printed by this test').toBe(
      herdTable(rows),
    );
  });
});
