import { openSqliteStore } from '@warden/store-sqlite';
import { describe, expect, it } from 'vitest';
import { parseFaults, SCENARIOS } from '../src/chaos.js';
import { runDemo } from '../src/run-demo.js';
import { invariants, summaryRows } from '../src/summary.js';

describe('the planner-worker demo', () => {
  for (const [name, plan] of Object.entries(SCENARIOS)) {
    it(`keeps every invariant under the ${name} scenario`, async () => {
      const report = await runDemo({ plan, seed: 42 });
      for (const inv of invariants(report))
        expect(inv.holds, `${inv.name}: ${inv.detail}`).toBe(true);
      expect(report.world.effects).toHaveLength(20);
    });
  }

  it('keeps every invariant over seeds under the mixed scenario', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const report = await runDemo({ plan: SCENARIOS.mixed as never, seed });
      for (const inv of invariants(report))
        expect(inv.holds, `seed ${seed}: ${inv.name}: ${inv.detail}`).toBe(true);
    }
  });

  it('shows the faults it injected at work in the story and the summary', async () => {
    const lines: string[] = [];
    const report = await runDemo({
      plan: SCENARIOS.mixed as never,
      seed: 42,
      onLine: (_t, l) => lines.push(l),
    });
    const story = lines.join('\n');
    expect(story).toMatch(/worker killed during/);
    expect(story).toMatch(/resumes from the checkpoint/);
    expect(story).toMatch(/429/);
    expect(story).toMatch(/serving from fallback/);
    expect(story).toMatch(/compacted/);
    expect(story).toMatch(/hung/);
    expect(report.delegation.duplicateRequests).toBeGreaterThan(0);
    const rows = new Map(summaryRows(report));
    expect(rows.get('breaker trips')).not.toBe('0');
  });

  it('refuses the purge during the freeze and runs large refunds only on a person’s approval', async () => {
    const lines: string[] = [];
    const report = await runDemo({
      plan: SCENARIOS.freeze as never,
      seed: 42,
      onLine: (_t, l) => lines.push(l),
    });
    const purge = report.journal.filter((e) => e.tool === 'purge_records');
    expect(purge).toHaveLength(1);
    expect(purge[0]).toMatchObject({ state: 'denied', decidedBy: 'freeze:code-freeze' });
    expect(report.world.purged).toEqual([]);
    expect(lines.join('\n')).toMatch(/purge a production table; refused by the runtime/);
    const large = report.journal.filter((e) => e.scopes.includes('refunds:large'));
    expect(large.length).toBeGreaterThan(0);
    expect(report.operator.asked).toBe(large.length);
    for (const entry of large.filter((e) => e.state === 'done'))
      expect(entry.decidedBy).toBe('person:ann');
  });

  it('tells the customer when a person declines a refund, and the ticket is still resolved once', async () => {
    let declined = 0;
    for (let seed = 1; seed <= 12 && declined === 0; seed++) {
      const report = await runDemo({ plan: SCENARIOS.calm as never, seed });
      declined += report.operator.denied;
      for (const inv of invariants(report))
        expect(inv.holds, `seed ${seed}: ${inv.name}: ${inv.detail}`).toBe(true);
    }
    expect(declined).toBeGreaterThan(0);
  });

  it('keeps its agents’ state in SQLite, as npm run demo does, with every invariant', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      const report = await runDemo({ plan: SCENARIOS.mixed as never, seed: 42, store });
      for (const inv of invariants(report))
        expect(inv.holds, `${inv.name}: ${inv.detail}`).toBe(true);
      expect(report.storage.checkpoints).toBeGreaterThan(report.world.tickets.length);
      expect(report.storage.bytes / report.storage.steps).toBeLessThan(4_000);
      expect((await store.checkpoints.latest('queue-1'))?.result?.outcome).toBe('done');
    } finally {
      await store.close();
    }
  });

  it('reports a broken invariant instead of hiding it', async () => {
    const report = await runDemo({ plan: SCENARIOS.calm as never, seed: 42 });
    report.world.effects.pop();
    expect(invariants(report).find((i) => i.name.startsWith('nothing lost'))?.holds).toBe(false);
  });

  it('parses fault flags and refuses unknown ones', () => {
    expect(parseFaults('crash=0.1,outage@30s,hung-tool')).toMatchObject({
      crashRate: 0.1,
      outage: { fromMs: 30_000, toMs: 90_000 },
      hungTool: true,
    });
    expect(() => parseFaults('meteor-strike')).toThrow(/unknown fault/);
  });
});
