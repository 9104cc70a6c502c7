import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  type AuditRecord,
  entryHash,
  GENESIS,
  MemoryAuditLog,
  verifyAuditChain,
} from '../../src/governance/audit-log.js';
import { MemoryEffectJournal } from '../../src/governance/effect-journal.js';
import { isGovernanceError } from '../../src/governance/governance-error.js';
import { replayParams } from './replay-params.js';

const newEntry = {
  key: 'k1',
  agent: 'ops',
  threadId: 't1',
  tool: 'drop_db',
  effect: 'irreversible' as const,
  argsHash: 'h',
  scopes: ['db:prod'],
  at: 0,
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('MemoryEffectJournal', () => {
  it('moves an entry through its lifecycle, one version per transition', async () => {
    const journal = new MemoryEffectJournal();
    const intent = await journal.begin(newEntry);
    expect(intent).toMatchObject({ state: 'intent', version: 1 });
    const waiting = await journal.advance('k1', 1, { state: 'awaiting_approval', at: 1 });
    const approved = await journal.advance('k1', waiting.version, {
      state: 'approved',
      at: 2,
      decidedBy: 'person:ann',
      approval: 'n1',
    });
    const executing = await journal.advance('k1', approved.version, { state: 'executing', at: 3 });
    const done = await journal.advance('k1', executing.version, {
      state: 'done',
      at: 4,
      result: 'ok',
    });
    expect(done).toMatchObject({ state: 'done', version: 5, result: 'ok', approval: 'n1' });
    expect(await journal.list('t1')).toEqual([done]);
  });

  it('is compare-and-set: a stale writer fails and writes nothing', async () => {
    const journal = new MemoryEffectJournal();
    await journal.begin(newEntry);
    await journal.advance('k1', 1, { state: 'approved', at: 1 });
    const stale = await rejection(journal.advance('k1', 1, { state: 'denied', at: 1 }));
    expect(isGovernanceError(stale, 'ERR_JOURNAL_CONFLICT')).toBe(true);
    expect((await journal.get('k1'))?.state).toBe('approved');
    expect(
      isGovernanceError(await rejection(journal.begin(newEntry)), 'ERR_JOURNAL_CONFLICT'),
    ).toBe(true);
  });

  it('refuses a transition the lifecycle does not have', async () => {
    const journal = new MemoryEffectJournal();
    await journal.begin(newEntry);
    const skip = await rejection(journal.advance('k1', 1, { state: 'executing', at: 1 }));
    expect(isGovernanceError(skip, 'ERR_INVALID_TRANSITION')).toBe(true);
    await journal.advance('k1', 1, { state: 'denied', at: 1 });
    const revive = await rejection(journal.advance('k1', 2, { state: 'approved', at: 1 }));
    expect(isGovernanceError(revive, 'ERR_INVALID_TRANSITION')).toBe(true);
  });
});

async function sampleLog(): Promise<readonly AuditEntry[]> {
  const log = new MemoryAuditLog();
  const base = { agent: 'ops', threadId: 't', tool: 'drop_db', key: 'k', argsHash: 'h' };
  await log.append({ ...base, kind: 'requested', by: 'rule:ask' }, 1);
  await log.append({ ...base, kind: 'allowed', by: 'person:ann' }, 2);
  await log.append({ ...base, kind: 'executed' }, 3);
  await log.append({ ...base, kind: 'result', detail: 'ok' }, 4);
  return log.entries();
}

describe('the audit chain', () => {
  it('verifies an untouched log', async () => {
    expect(verifyAuditChain(await sampleLog())).toEqual({ ok: true, entries: 4 });
    expect(verifyAuditChain([])).toEqual({ ok: true, entries: 0 });
  });

  it('detects a changed entry', async () => {
    const entries = [...(await sampleLog())];
    entries[1] = { ...(entries[1] as AuditEntry), by: 'person:mallory' };
    expect(verifyAuditChain(entries)).toMatchObject({ ok: false, index: 1 });
  });

  it('detects a removed, a reordered and an inserted entry', async () => {
    const entries = await sampleLog();
    expect(verifyAuditChain([entries[0], entries[2], entries[3]] as AuditEntry[])).toMatchObject({
      ok: false,
      index: 1,
    });
    expect(verifyAuditChain([entries[1], entries[0], entries[2]] as AuditEntry[])).toMatchObject({
      ok: false,
      index: 0,
    });
    const forged = { ...(entries[1] as AuditEntry), kind: 'denied' as const };
    expect(
      verifyAuditChain([entries[0], forged, ...entries.slice(1)] as AuditEntry[]),
    ).toMatchObject({
      ok: false,
    });
  });

  it('detects entries cut off the end when the head is known', async () => {
    const entries = await sampleLog();
    const head = (entries.at(-1) as AuditEntry).hash;
    expect(verifyAuditChain(entries.slice(0, 3), { expectedHead: head })).toMatchObject({
      ok: false,
    });
    expect(verifyAuditChain(entries, { expectedHead: head })).toMatchObject({ ok: true });
  });
});

describe('MemoryAuditLog chaining when read', () => {
  type Op =
    | { readonly op: 'record' | 'append'; readonly record: AuditRecord; readonly at: number }
    | { readonly op: 'read' };
  const recordArb: fc.Arbitrary<AuditRecord> = fc.record({
    kind: fc.constantFrom('requested', 'allowed', 'denied', 'executed', 'result'),
    agent: fc.constantFrom('ops', 'a'),
    threadId: fc.string({ maxLength: 4 }),
    tool: fc.constantFrom('read_file', 'drop_db'),
    key: fc.string({ maxLength: 6 }),
    argsHash: fc.constantFrom('-', 'ab'.repeat(32)),
    by: fc.option(fc.constantFrom('rule:r', 'person:ann'), { nil: undefined }),
    detail: fc.option(fc.string({ maxLength: 5 }), { nil: undefined }),
  });
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constantFrom('record', 'append'), record: recordArb, at: fc.nat(9) }),
    fc.constant({ op: 'read' as const }),
  ) as fc.Arbitrary<Op>;

  it('gives every entry the hash it would have had chained at once, whenever it is read', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 30 }), async (ops) => {
        const log = new MemoryAuditLog();
        const expected: AuditEntry[] = [];
        for (const o of ops) {
          if (o.op === 'read') {
            const entries = await log.entries();
            expect(entries).toEqual(expected);
            expect(entries.every((entry) => Object.isFrozen(entry))).toBe(true);
            continue;
          }
          const { record, at } = o;
          const entry = {
            kind: record.kind,
            agent: record.agent,
            threadId: record.threadId,
            tool: record.tool,
            key: record.key,
            argsHash: record.argsHash,
            by: record.by,
            detail: record.detail,
            seq: expected.length,
            at,
            prev: expected.at(-1)?.hash ?? GENESIS,
            hash: '',
          };
          entry.hash = entryHash(entry);
          expected.push(entry);
          if (o.op === 'record') log.recordNow(record, at);
          else expect(await log.append(record, at)).toEqual(entry);
        }
        const entries = await log.entries();
        expect(entries).toEqual(expected);
        expect(
          verifyAuditChain(entries, { expectedHead: expected.at(-1)?.hash ?? GENESIS }),
        ).toEqual({
          ok: true,
          entries: expected.length,
        });
      }),
      replayParams({ numRuns: 1_000 }),
    );
  });
});
