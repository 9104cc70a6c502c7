import { type AuditRecord, bindingKey, isGovernanceError, verifyAuditChain } from '@warden/agents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresAgentStore } from '../src/index.js';
import { type TestSchema, testSchema } from './test-database.js';

let db: TestSchema;
let a: PostgresAgentStore;
let b: PostgresAgentStore;

beforeAll(async () => {
  db = testSchema('governance');
  a = await db.open();
  b = await db.open();
});
afterAll(() => db?.drop());

const record = (node: string, i: number): AuditRecord => ({
  kind: 'allowed',
  agent: 'planner',
  threadId: `t-${node}`,
  tool: 'send_email',
  key: `${node}-${i}`,
  argsHash: 'h',
  by: i % 2 === 0 ? 'capability' : undefined,
  detail: i % 3 === 0 ? `"quoted" \u0000 detail ${i}` : undefined,
});

describe('governance state shared by two nodes', () => {
  it('chains audit appends from both nodes into one verified chain', async () => {
    const appends = [];
    for (let i = 0; i < 40; i++) {
      appends.push(a.audit.append(record('a', i), i), b.audit.append(record('b', i), i));
    }
    const appended = await Promise.all(appends);
    const entries = await b.audit.entries();
    expect(entries).toHaveLength(80);
    expect(verifyAuditChain(entries, { expectedHead: entries[79]?.hash ?? '' })).toEqual({
      ok: true,
      entries: 80,
    });
    expect(entries.map((e) => e.seq)).toEqual([...Array(80).keys()]);
    // Each node's own answer is the entry the chain holds.
    for (const entry of appended) expect(entries[entry.seq]).toEqual(entry);
    expect(await a.audit.entries()).toEqual(entries);
  });

  it('moves a journal entry once when both nodes advance it from the same version', async () => {
    const begun = await a.journal.begin({
      key: 'call-race',
      agent: 'planner',
      threadId: 't-journal',
      tool: 'send_email',
      effect: 'irreversible',
      argsHash: 'h',
      scopes: ['mail:ops'],
      at: 1,
    });
    await expect(b.journal.begin({ ...begun })).rejects.toSatisfy((e) =>
      isGovernanceError(e, 'ERR_JOURNAL_CONFLICT'),
    );
    const approved = await b.journal.advance('call-race', 1, {
      state: 'approved',
      at: 2,
      decidedBy: 'person:ana',
    });
    const racing = await Promise.allSettled([
      a.journal.advance('call-race', approved.version, { state: 'executing', at: 3 }),
      b.journal.advance('call-race', approved.version, { state: 'executing', at: 3 }),
    ]);
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = racing.find((r) => r.status === 'rejected');
    expect(isGovernanceError(lost?.reason, 'ERR_JOURNAL_CONFLICT')).toBe(true);
    await expect(a.journal.advance('call-race', 3, { state: 'approved', at: 4 })).rejects.toSatisfy(
      (e) => isGovernanceError(e, 'ERR_INVALID_TRANSITION'),
    );
    const done = await a.journal.advance('call-race', 3, {
      state: 'done',
      at: 5,
      result: { sent: true, id: 'm-1' },
    });
    expect(await b.journal.get('call-race')).toEqual(done);
    expect(done).toMatchObject({
      version: 4,
      state: 'done',
      decidedBy: 'person:ana',
      approval: undefined,
      result: { sent: true, id: 'm-1' },
    });
    expect(await b.journal.list('t-journal')).toEqual([done]);
  });

  it('lets one node use a nonce once, whichever node asks, and keeps it used', async () => {
    const approval = {
      requestId: 'standing',
      nonce: 'nonce-1',
      approver: 'person:ana',
      expiresAt: 100,
      agent: 'planner',
      tool: 'send_email',
      argsHash: 'h',
      resource: 'mail:ops',
    };
    await a.approvals.issue(approval);
    await expect(b.approvals.issue(approval)).rejects.toThrow(RangeError);
    expect(await b.approvals.get('nonce-1')).toEqual(approval);
    expect(await b.approvals.standing(bindingKey(approval))).toEqual([approval]);
    const used = await Promise.all([
      a.approvals.consume('nonce-1'),
      b.approvals.consume('nonce-1'),
    ]);
    expect(used.filter(Boolean)).toHaveLength(1);
    expect(await a.approvals.consume('nonce-1')).toBe(false);
    expect(await a.approvals.standing(bindingKey(approval))).toEqual([]);
    expect(await a.approvals.consume('never-issued')).toBe(false);
  });
});
