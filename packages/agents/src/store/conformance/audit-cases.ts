import assert from 'node:assert/strict';
import {
  type AuditEntry,
  type AuditRecord,
  entryHash,
  GENESIS,
  verifyAuditChain,
} from '../../governance/audit-log.js';
import { type ConformanceCase, withStore } from './conformance-case.js';

function recordOf(i: number, extra: Partial<AuditRecord> = {}): AuditRecord {
  return {
    kind: (['requested', 'allowed', 'denied', 'executed', 'result'] as const)[i % 5] ?? 'allowed',
    agent: 'mailer',
    threadId: `t${i % 2}`,
    tool: 'send_mail',
    key: `key-${i}`,
    argsHash: 'c3'.repeat(32),
    ...extra,
  };
}

const chain: ConformanceCase = {
  name: 'appends a hash chain that verifies, its seq without a gap',
  run: (open) =>
    withStore(open, async (store) => {
      const appended: AuditEntry[] = [];
      const records = [
        recordOf(0),
        recordOf(1, { by: 'rule:r1' }),
        recordOf(2, { by: 'person:grace', detail: 'not today ✋' }),
        recordOf(3),
        recordOf(4, { detail: 'ok' }),
      ];
      let prev = GENESIS;
      for (const [seq, record] of records.entries()) {
        const entry = await store.audit.append(record, 1_000 + seq);
        const expected = {
          kind: record.kind,
          agent: record.agent,
          threadId: record.threadId,
          tool: record.tool,
          key: record.key,
          argsHash: record.argsHash,
          by: record.by,
          detail: record.detail,
          seq,
          at: 1_000 + seq,
          prev,
          hash: '',
        };
        expected.hash = entryHash(expected);
        assert.deepStrictEqual(entry, expected);
        appended.push(entry);
        prev = entry.hash;
      }
      const entries = await store.audit.entries();
      assert.deepStrictEqual(entries, appended);
      assert.deepStrictEqual(verifyAuditChain(entries, { expectedHead: prev }), {
        ok: true,
        entries: 5,
      });
    }),
};

const concurrent: ConformanceCase = {
  name: 'keeps one chain when appends race',
  run: (open) =>
    withStore(open, async (store) => {
      await store.audit.append(recordOf(0), 1);
      const raced = await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.audit.append(recordOf(i + 1), 10 + i)),
      );
      assert.deepStrictEqual(
        raced.map((e) => e.seq).sort((a, b) => a - b),
        Array.from({ length: 25 }, (_, i) => i + 1),
      );
      const entries = await store.audit.entries();
      assert.equal(entries.length, 26);
      assert.deepStrictEqual(verifyAuditChain(entries), { ok: true, entries: 26 });
      for (const entry of raced) assert.deepStrictEqual(entries[entry.seq], entry);
    }),
};

export const AUDIT_CASES: readonly ConformanceCase[] = [chain, concurrent];
