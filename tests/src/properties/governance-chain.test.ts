/**
 * Properties of the governance data: the arguments text an approval binds is `canonicalJson`'s
 * (the gate writes flat objects itself, for speed); a capability set's intersection covers a call exactly when
 * both sides do (so attenuation never grants what either side lacked), and any single tampering
 * with an audit log (a changed field, a removed, swapped or inserted entry) breaks its chain.
 *
 * Replaying a failure: fast-check prints `seed` and `path`. Run
 *   FC_SEED=<seed> FC_PATH=<path> npx vitest run tests/src/properties/governance-chain.test.ts
 */

import {
  type AuditEntry,
  type AuditKind,
  argsText,
  CapabilitySet,
  canonicalJson,
  type Effect,
  type Grant,
  MemoryAuditLog,
  verifyAuditChain,
} from '@warden/agents';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayParams } from './replay-params.js';

const RUNS = replayParams<unknown>({ numRuns: Number(process.env.FC_RUNS ?? 1_000) });

const TOOLS = ['read_file', 'write_file', 'drop_db'];
const EFFECTS: readonly Effect[] = ['read', 'write', 'irreversible'];
const PREFIXES = ['fs:/', 'fs:/srv/', 'fs:/srv/app/', 'fs:/home/', 'db:', 'db:tickets'];
const RESOURCES = [
  'fs:/srv/app/a.ts',
  'fs:/srv/b',
  'fs:/home/x',
  'db:tickets',
  'db:users',
  'fs:/etc/passwd',
];

const grantArb: fc.Arbitrary<Grant> = fc.record({
  tools: fc.oneof(fc.constant('*' as const), fc.subarray(TOOLS)),
  upTo: fc.constantFrom(...EFFECTS),
  scopes: fc.oneof(fc.constant('*' as const), fc.subarray(PREFIXES)),
});
const setArb = fc.array(grantArb, { maxLength: 3 }).map((g) => CapabilitySet.of(g));
const callArb = fc.record({
  tool: fc.constantFrom(...TOOLS),
  effect: fc.constantFrom(...EFFECTS),
  scopes: fc.subarray(RESOURCES, { maxLength: 2 }),
});

const KINDS: readonly AuditKind[] = ['requested', 'allowed', 'denied', 'executed', 'result'];
const recordArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  tool: fc.constantFrom(...TOOLS),
  by: fc.constantFrom('capability', 'rule:ask', 'person:ann', 'freeze:freeze'),
});

function logOf(records: readonly { kind: AuditKind; tool: string; by: string }[]): AuditEntry[] {
  const log = new MemoryAuditLog();
  return records.map((r, i) =>
    log.appendNow({ ...r, agent: 'ops', threadId: 't', key: `k${i}`, argsHash: 'h' }, i),
  );
}

describe('property: governance data', () => {
  it('the arguments text an approval binds is the canonical form', () => {
    const value = fc.oneof(
      fc.string(),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.constant(-0),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 }),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value, { maxKeys: 6 }), (input) => {
        let canonical: string | undefined;
        try {
          canonical = canonicalJson(input);
        } catch {
          canonical = undefined; // no canonical form: no text, so nothing can be bound to it
        }
        expect(argsText(input)).toBe(canonical);
      }),
      RUNS,
    );
  });

  it('attenuation is exact intersection', () => {
    fc.assert(
      fc.property(setArb, setArb, callArb, (a, b, call) => {
        const both = a.attenuate(b).check(call.tool, call.effect, call.scopes).ok;
        const each =
          a.check(call.tool, call.effect, call.scopes).ok &&
          b.check(call.tool, call.effect, call.scopes).ok;
        expect(both).toBe(each);
      }),
      RUNS,
    );
  });

  it('any single tampering with an audit log breaks its chain', () => {
    const tamper = fc.oneof(
      fc.record({
        how: fc.constant('change' as const),
        at: fc.nat(),
        by: fc.constant('person:mallory'),
      }),
      fc.record({ how: fc.constant('remove' as const), at: fc.nat() }),
      fc.record({ how: fc.constant('swap' as const), at: fc.nat() }),
      fc.record({ how: fc.constant('insert' as const), at: fc.nat(), from: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 2, maxLength: 12 }), tamper, (records, t) => {
        const entries = logOf(records);
        expect(verifyAuditChain(entries).ok).toBe(true);
        const head = (entries.at(-1) as AuditEntry).hash;
        const copy = [...entries];
        const at = t.at % copy.length;
        switch (t.how) {
          case 'change':
            copy[at] = { ...(copy[at] as AuditEntry), by: `${(copy[at] as AuditEntry).by}!` };
            break;
          case 'remove':
            copy.splice(at, 1);
            break;
          case 'swap': {
            const next = (at + 1) % copy.length;
            [copy[at], copy[next]] = [copy[next] as AuditEntry, copy[at] as AuditEntry];
            break;
          }
          case 'insert':
            copy.splice(at, 0, entries[t.from % entries.length] as AuditEntry);
            break;
        }
        expect(verifyAuditChain(copy, { expectedHead: head }).ok).toBe(false);
      }),
      RUNS,
    );
  });
});
