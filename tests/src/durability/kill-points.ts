import { type AgentStore, verifyAuditChain } from '@warden/agents';
import fc from 'fast-check';
import { expect } from 'vitest';
import { runIncarnation, World } from './durable-run-world.js';
import type { Plan, PlannedCall } from './durable-tools.js';

/**
 * Property: whatever store operation a node dies before (up to three deaths per run, each
 * followed by a resume on a fresh node over the same store), the run ends with its task done and
 *   - after each death the store's head is exactly the last checkpoint a commit answered for
 *     (no torn checkpoint, nothing lost that was acknowledged);
 *   - no refund (irreversible, not idempotent) reached the payment system twice, and every one
 *     that did carries an approval the operator issued for it;
 *   - the mail provider saw each idempotency key's reply applied (re-sends reuse the key);
 *   - no journal entry is left `executing`, and the audit chain verifies.
 */

const tool = fc.constantFrom<PlannedCall['tool']>('read_ticket', 'send_mail', 'refund');
/** Each call is about another ticket, as in a real run (the loop guard stops repeated calls). */
export const planArb = fc
  .array(fc.array(tool, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 5 })
  .map((steps) => {
    let id = 0;
    return steps.map((calls) => calls.map((t): PlannedCall => ({ tool: t, id: id++ })));
  });
/** Where each incarnation dies: the n-th store operation it makes (none if it makes fewer). */
export const crashesArb = fc.array(fc.integer({ min: 1, max: 45 }), {
  minLength: 1,
  maxLength: 3,
});

export interface KillPointTally {
  /** Deaths that really happened (a crash point past an incarnation's last operation does not). */
  crashes: number;
  runs: number;
}

export async function killPointRun(
  open: () => Promise<AgentStore>,
  plan: Plan,
  crashes: readonly number[],
  tally: KillPointTally,
): Promise<void> {
  const store = await open();
  try {
    const world = new World();
    let result: Awaited<ReturnType<typeof runIncarnation>>['result'];
    for (let n = 0; n <= crashes.length && result === undefined; n++) {
      const outcome = await runIncarnation(
        store,
        world,
        plan,
        crashes[n] ?? Number.POSITIVE_INFINITY,
        n,
      );
      result = outcome.result;
      if (outcome.life.dead) {
        tally.crashes++;
        const head = await store.checkpoints.latest('thread');
        if (outcome.life.lastCommitted !== undefined) {
          expect(head).toEqual(outcome.life.lastCommitted);
        }
      }
    }
    tally.runs++;
    expect(result?.outcome).toBe('done');
    expect(result?.text).toBe(`handled ${plan.length} steps`);

    const entries = await store.journal.list('thread');
    expect(entries.filter((e) => e.state === 'executing')).toEqual([]);
    for (const [key, times] of world.refunds) {
      expect(times, `refund ${key} ran ${times} times`).toBe(1);
      const entry = entries.find((e) => e.key === key);
      expect(entry?.approval, `refund ${key} ran without an approval`).toBeDefined();
      expect(world.issued.has(entry?.approval as string)).toBe(true);
    }
    // A refund that ran and was not recorded `done` is one whose outcome was left unknown (its
    // node died in the middle): a person was asked, and said not to run it again.
    const done = entries.filter((e) => e.tool === 'refund' && e.state === 'done').length;
    expect(world.refunds.size).toBeGreaterThanOrEqual(done);
    expect(world.refunds.size - done).toBeLessThanOrEqual(world.deniedUnknown.length);
    for (const entry of entries.filter((e) => e.tool === 'send_mail' && e.state === 'done')) {
      expect(world.mails.get(entry.key)).toBeGreaterThanOrEqual(1);
    }
    expect(verifyAuditChain(await store.audit.entries())).toMatchObject({ ok: true });
  } finally {
    await store.close();
  }
}
