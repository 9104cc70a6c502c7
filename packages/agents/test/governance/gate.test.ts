import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { canonicalHash } from '../../src/canonical/canonical-json.js';
import { type Approval, checkApproval } from '../../src/governance/approval.js';
import { ApprovalDesk } from '../../src/governance/approval-desk.js';
import { MemoryAuditLog, verifyAuditChain } from '../../src/governance/audit-log.js';
import { CapabilitySet } from '../../src/governance/capability-set.js';
import { MemoryEffectJournal } from '../../src/governance/effect-journal.js';
import { Gate, type GateCall } from '../../src/governance/gate.js';
import { resolveGovernance } from '../../src/governance/governance.js';
import type { AnyTool } from '../../src/tools/tool.js';
import { isToolError } from '../../src/tools/tool-error.js';
import { opsTools } from './governance-world.js';

function world(onTimeout: 'deny' | 'exit' = 'deny') {
  const clock = new TestClock();
  const desk = new ApprovalDesk({ clock, timeoutMs: 1_000, ttlMs: 10_000 });
  const journal = new MemoryEffectJournal();
  const audit = new MemoryAuditLog();
  const gate = new Gate(
    resolveGovernance({
      policy: { rules: [{ id: 'ask', tools: ['drop_database'], decision: 'ask' }] },
      approvals: { desk, onTimeout },
      journal,
      audit,
      capabilities: CapabilitySet.all(),
    }),
  );
  const { dropDatabase, readFile } = opsTools();
  const call = (
    key: string,
    input: unknown = { name: 'prod' },
    tool: AnyTool = dropDatabase,
  ): GateCall => ({
    agent: 'ops',
    threadId: 't',
    tool,
    input,
    key,
    signal: new AbortController().signal,
    now: () => clock.now(),
  });
  return { clock, desk, journal, audit, gate, call, readFile };
}

const binding = {
  agent: 'ops',
  tool: 'drop_database',
  argsHash: canonicalHash({ name: 'prod' }),
  resource: 'db:prod',
};

describe('Gate', () => {
  it('answers a finished call from its journal entry without running it again', async () => {
    const w = world();
    let runs = 0;
    const execute = async () => `run ${++runs}`;
    await w.desk.grant({
      agent: 'ops',
      tool: 'drop_database',
      input: { name: 'prod' },
      scopes: ['db:prod'],
      approver: 'ann',
    });
    expect(await w.gate.run(w.call('k1'), execute)).toBe('run 1');
    // The same call met again (a resumed step): its stored result, nothing runs.
    expect(await w.gate.run(w.call('k1'), execute)).toBe('run 1');
    expect(runs).toBe(1);
  });

  it('marks a call that was executing when its agent died unknown and does not run it again on its own', async () => {
    const w = world();
    await w.journal.begin({
      key: 'k2',
      agent: 'ops',
      threadId: 't',
      tool: 'drop_database',
      effect: 'irreversible',
      argsHash: binding.argsHash,
      scopes: ['db:prod'],
      at: 0,
    });
    await w.journal.advance('k2', 1, { state: 'approved', at: 0 });
    await w.journal.advance('k2', 2, { state: 'executing', at: 0 });
    let runs = 0;
    const resumed = w.gate.run(w.call('k2'), async () => ++runs).catch((e: unknown) => e);
    await w.clock.settle();
    // It waits for a person; the journal says unknown meanwhile.
    expect((await w.journal.get('k2'))?.state).toBe('unknown');
    expect(w.desk.pending()).toMatchObject([{ kind: 'unknown_outcome', interrupted: 'k2' }]);
    w.desk.deny(w.desk.pending()[0]?.id as string, { approver: 'bob' });
    const error = await resumed;
    expect(isToolError(error, 'ERR_PERMISSION_DENIED')).toBe(true);
    expect((error as Error).message).toContain('may have taken effect. It was not run again');
    expect(runs).toBe(0);
    expect((await w.journal.get('k2'))?.state).toBe('failed');
  });

  it('runs an interrupted call of an idempotent tool again, with the same key, to a definite outcome', async () => {
    const w = world();
    const { defineTool } = await import('../../src/tools/tool.js');
    const { z } = await import('zod');
    const put = defineTool({
      name: 'put',
      description: '',
      effect: 'write',
      idempotent: true,
      input: z.object({ id: z.number() }),
      run: () => 'put',
    });
    await w.journal.begin({
      key: 'k6',
      agent: 'ops',
      threadId: 't',
      tool: 'put',
      effect: 'write',
      argsHash: 'h',
      scopes: [],
      at: 0,
    });
    await w.journal.advance('k6', 1, { state: 'approved', at: 0 });
    await w.journal.advance('k6', 2, { state: 'executing', at: 0 });
    let runs = 0;
    expect(await w.gate.run(w.call('k6', { id: 1 }, put), async () => `run ${++runs}`)).toBe(
      'run 1',
    );
    expect(await w.journal.get('k6')).toMatchObject({ state: 'done', result: 'run 1' });
    // Met again: its stored result, not a third run.
    expect(await w.gate.run(w.call('k6', { id: 1 }, put), async () => `run ${++runs}`)).toBe(
      'run 1',
    );
    expect(runs).toBe(1);
  });

  it('runs an approved call journaled approved then executing, each saved before the next step', async () => {
    const w = world();
    await w.desk.grant({
      agent: 'ops',
      tool: 'drop_database',
      input: { name: 'prod' },
      scopes: ['db:prod'],
      approver: 'ann',
    });
    const seen: string[] = [];
    await w.gate.run(w.call('k3'), async () => {
      seen.push((await w.journal.get('k3'))?.state as string);
      return 'ok';
    });
    expect(seen).toEqual(['executing']);
    expect(await w.journal.get('k3')).toMatchObject({ state: 'done', decidedBy: 'person:ann' });
    expect(verifyAuditChain(await w.audit.entries()).ok).toBe(true);
  });

  it('refuses forged, replayed, expired and self-given approvals', async () => {
    const w = world();
    const real = await w.desk.grant({
      agent: 'ops',
      tool: 'drop_database',
      input: { name: 'prod' },
      scopes: ['db:prod'],
      approver: 'ann',
    });
    const forged: Approval = { ...real, nonce: 'f'.repeat(32) };
    expect(await checkApproval(w.desk.store, forged, binding, 0)).toEqual({
      ok: false,
      reason: 'forged',
    });
    const altered: Approval = { ...real, expiresAt: real.expiresAt + 1e9 };
    expect(await checkApproval(w.desk.store, altered, binding, 0)).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(
      await checkApproval(
        w.desk.store,
        real,
        { ...binding, argsHash: canonicalHash({ name: 'dev' }) },
        0,
      ),
    ).toEqual({ ok: false, reason: 'other-call' });
    expect(await checkApproval(w.desk.store, real, binding, real.expiresAt)).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(await checkApproval(w.desk.store, real, binding, 0)).toEqual({ ok: true });
    expect(await checkApproval(w.desk.store, real, binding, 0)).toEqual({
      ok: false,
      reason: 'replayed',
    });
    // An approval recorded with the requester as approver (a store written by someone else).
    const self: Approval = { ...real, nonce: 'a'.repeat(32), approver: 'agent:ops' };
    await w.desk.store.issue(self);
    expect(await checkApproval(w.desk.store, self, binding, 0)).toEqual({
      ok: false,
      reason: 'self-approved',
    });
  });

  it('waits 5 minutes for a person and keeps an approval valid 5 minutes, by default', async () => {
    const clock = new TestClock();
    const desk = new ApprovalDesk({ clock });
    const { answer } = desk.ask(
      {
        agent: 'ops',
        threadId: 't',
        tool: 'drop_database',
        effect: 'irreversible',
        input: {},
        argsHash: 'h',
        resource: '',
        rule: 'rule:ask',
      },
      new AbortController().signal,
    );
    expect(desk.pending()[0]?.deadline).toBe(300_000);
    const approval = await desk.grant({ agent: 'ops', tool: 't', input: {}, approver: 'ann' });
    expect(approval.expiresAt).toBe(300_000);
    await clock.advance(300_000);
    expect(await answer).toEqual({ kind: 'timeout' });
    expect(desk.pending()).toEqual([]);
  });

  it('denies a write whose validated arguments have no canonical form: nothing can be bound to them', async () => {
    const w = world();
    const { defineTool } = await import('../../src/tools/tool.js');
    const { z } = await import('zod');
    const fetchUrl = defineTool({
      name: 'post',
      description: '',
      effect: 'write',
      input: z.object({ url: z.string() }).transform(({ url }) => new URL(url)),
      run: () => 'posted',
    });
    const input = fetchUrl.input.parse({ url: 'https://example.com/a' });
    let runs = 0;
    const error = await w.gate
      .run(w.call('k7', input, fetchUrl), async () => ++runs)
      .catch((e: unknown) => e);
    expect(isToolError(error, 'ERR_PERMISSION_DENIED')).toBe(true);
    expect((error as Error).message).toContain('no canonical form');
    expect(runs).toBe(0);
  });

  it('denies a call whose tool cannot say which resource it touches', async () => {
    const w = world();
    const { defineTool } = await import('../../src/tools/tool.js');
    const { z } = await import('zod');
    const odd = defineTool({
      name: 'odd',
      description: '',
      effect: 'read',
      input: z.object({}),
      scope: () => {
        throw new Error('no idea');
      },
      run: () => 'ran',
    });
    const error = await w.gate
      .run(w.call('k5', {}, odd), async () => 'ran')
      .catch((e: unknown) => e);
    expect(isToolError(error, 'ERR_PERMISSION_DENIED')).toBe(true);
    expect((error as Error).message).toContain('could not say which resource');
  });
});
