import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { canonicalHash } from '../../src/canonical/canonical-json.js';
import { ApprovalDesk } from '../../src/governance/approval-desk.js';
import { MemoryAuditLog, verifyAuditChain } from '../../src/governance/audit-log.js';
import { checkTransition, MemoryEffectJournal } from '../../src/governance/effect-journal.js';
import { Gate, type GateCall } from '../../src/governance/gate.js';
import { resolveGovernance } from '../../src/governance/governance.js';
import { isGovernanceError } from '../../src/governance/governance-error.js';
import { Policy, type PolicyOptions } from '../../src/governance/policy.js';
import { type AnyTool, defineTool } from '../../src/tools/tool.js';
import { isToolError } from '../../src/tools/tool-error.js';

const drop = defineTool({
  name: 'drop_database',
  description: 'Drops a database',
  effect: 'irreversible',
  input: z.object({ name: z.string() }),
  scope: ({ name }) => `db:${name}`,
  run: () => 'dropped',
});
const append = defineTool({
  name: 'append_line',
  description: 'Appends a line to a file',
  effect: 'write',
  input: z.object({ line: z.string() }),
  run: () => 'appended',
});
const search = defineTool({
  name: 'search',
  description: 'Searches',
  effect: 'read',
  input: z.object({ q: z.string() }),
  run: () => 'found',
});

function world(
  policy: PolicyOptions = { rules: [{ id: 'ask', tools: ['drop_database'], decision: 'ask' }] },
) {
  const clock = new TestClock();
  const desk = new ApprovalDesk({ clock, timeoutMs: 1_000, ttlMs: 10_000 });
  const journal = new MemoryEffectJournal();
  const audit = new MemoryAuditLog();
  const governance = resolveGovernance({ policy, approvals: { desk }, journal, audit });
  const call = (
    key: string,
    tool: AnyTool = drop,
    input: unknown = { name: 'prod' },
    signal = new AbortController().signal,
  ): GateCall => ({
    agent: 'ops',
    threadId: 't',
    tool,
    input,
    key,
    signal,
    now: () => clock.now(),
  });
  /** A journal entry left as its agent died: `executing`, or `unknown` after the abort. */
  const leave = async (
    key: string,
    state: 'executing' | 'unknown',
    tool: AnyTool = drop,
    input: unknown = { name: 'prod' },
  ) => {
    await journal.begin({
      key,
      agent: 'ops',
      threadId: 't',
      tool: tool.name,
      effect: tool.effect,
      argsHash: canonicalHash(input),
      scopes: tool === drop ? [`db:${(input as { name: string }).name}`] : [],
      at: 0,
    });
    await journal.advance(key, 1, { state: 'approved', at: 0 });
    await journal.advance(key, 2, { state: 'executing', at: 0 });
    if (state === 'unknown') await journal.advance(key, 3, { state: 'unknown', at: 0 });
  };
  return { clock, desk, journal, audit, governance, call, leave };
}

async function settled<T>(promise: Promise<T>): Promise<T | unknown> {
  return promise.catch((e: unknown) => e);
}

describe('Gate: two instances resuming one call whose outcome is unknown', () => {
  it('lets one of two instances resuming an executing entry move it on; the other is refused', async () => {
    const w = world();
    await w.leave('k', 'executing');
    let runs = 0;
    const execute = async () => `run ${++runs}`;
    const a = settled(new Gate(w.governance).run(w.call('k'), execute));
    const b = settled(new Gate(w.governance).run(w.call('k'), execute));
    await w.clock.settle();
    expect(w.desk.pending()).toHaveLength(1);
    await w.desk.approve(w.desk.pending()[0]?.id as string, { approver: 'ann' });
    const outcomes = await Promise.all([a, b]);
    expect(runs).toBe(1);
    expect(outcomes.filter((o) => o === 'run 1')).toHaveLength(1);
    expect(outcomes.filter((o) => isGovernanceError(o, 'ERR_JOURNAL_CONFLICT'))).toHaveLength(1);
    expect(await w.journal.get('k')).toMatchObject({ state: 'done', result: 'run 1' });
  });

  it('runs an unknown entry at most once when both instances ask and both are approved', async () => {
    const w = world();
    await w.leave('k', 'unknown');
    let runs = 0;
    const execute = async () => `run ${++runs}`;
    const a = settled(new Gate(w.governance).run(w.call('k'), execute));
    const b = settled(new Gate(w.governance).run(w.call('k'), execute));
    await w.clock.settle();
    const pending = w.desk.pending();
    expect(pending).toHaveLength(2);
    for (const request of pending) await w.desk.approve(request.id, { approver: 'ann' });
    const outcomes = await Promise.all([a, b]);
    expect(runs).toBe(1);
    expect(outcomes.filter((o) => isGovernanceError(o, 'ERR_JOURNAL_CONFLICT'))).toHaveLength(1);
    // The loser's approval was used up too: it can run nothing else.
    expect(verifyAuditChain(await w.audit.entries()).ok).toBe(true);
  });

  it('answers a later resume of a re-run call from its stored result', async () => {
    const w = world();
    await w.leave('k', 'unknown');
    let runs = 0;
    const execute = async () => `run ${++runs}`;
    const first = settled(new Gate(w.governance).run(w.call('k'), execute));
    await w.clock.settle();
    await w.desk.approve(w.desk.pending()[0]?.id as string, { approver: 'ann' });
    expect(await first).toBe('run 1');
    expect(await new Gate(w.governance).run(w.call('k'), execute)).toBe('run 1');
    expect(runs).toBe(1);
  });
});

describe('Gate: unknown outcomes', () => {
  it('keeps an entry unknown when the task is cancelled while a person is asked, and asks again on the next resume', async () => {
    const w = world();
    await w.leave('k', 'unknown');
    const task = new AbortController();
    const gate = new Gate(w.governance);
    const waiting = settled(
      gate.run(w.call('k', drop, { name: 'prod' }, task.signal), async () => 1),
    );
    await w.clock.settle();
    task.abort();
    const error = await waiting;
    expect(isToolError(error, 'ERR_PERMISSION_DENIED')).toBe(true);
    expect((error as Error).message).toContain('its outcome is still unknown');
    expect((await w.journal.get('k'))?.state).toBe('unknown');
    const again = settled(new Gate(w.governance).run(w.call('k'), async () => 1));
    await w.clock.settle();
    expect(w.desk.pending()).toMatchObject([{ kind: 'unknown_outcome', interrupted: 'k' }]);
    await w.clock.advance(1_000);
    expect((await again) as Error).toMatchObject({ code: 'ERR_PERMISSION_DENIED' });
  });

  it('marks a call aborted half-way unknown, audited as such', async () => {
    const w = world({ rules: [] });
    const task = new AbortController();
    const error = await settled(
      new Gate(w.governance).run(w.call('k', append, { line: 'x' }, task.signal), () => {
        task.abort();
        return Promise.reject(new Error('aborted'));
      }),
    );
    expect((error as Error).message).toBe('aborted');
    expect((await w.journal.get('k'))?.state).toBe('unknown');
    expect((await w.audit.entries()).at(-1)).toMatchObject({ kind: 'result', detail: 'unknown' });
  });

  it('runs a read interrupted while it ran again at once: a read has no effect', async () => {
    const w = world();
    await w.leave('k', 'executing', search, { q: 'x' });
    let runs = 0;
    expect(
      await new Gate(w.governance).run(w.call('k', search, { q: 'x' }), async () => ++runs),
    ).toBe(1);
    expect(w.desk.pending()).toEqual([]);
  });

  it('holds the same write made again under an allow rule, and lets it through once a run of it finished', async () => {
    const w = world({ rules: [] }); // writes allowed by default
    await w.leave('k1', 'unknown', append, { line: 'x' });
    let runs = 0;
    const execute = async () => `run ${++runs}`;
    const again = settled(new Gate(w.governance).run(w.call('k2', append, { line: 'x' }), execute));
    await w.clock.settle();
    expect(w.desk.pending()).toMatchObject([
      { kind: 'unknown_outcome', interrupted: 'k1', rule: 'default:write' },
    ]);
    // Other arguments are another call: not held.
    expect(await new Gate(w.governance).run(w.call('k3', append, { line: 'y' }), execute)).toBe(
      'run 1',
    );
    await w.desk.approve(w.desk.pending()[0]?.id as string, { approver: 'ann' });
    expect(await again).toBe('run 2');
    // A run of it has a definite outcome now: the next identical call is an ordinary write.
    expect(await new Gate(w.governance).run(w.call('k4', append, { line: 'x' }), execute)).toBe(
      'run 3',
    );
    expect(w.desk.pending()).toEqual([]);
  });
});

describe('Gate: what settles an unknown outcome', () => {
  it('settles it as not run again when the approval handed back does not hold', async () => {
    const w = world();
    await w.leave('k', 'unknown');
    const other = await w.desk.grant({
      agent: 'ops',
      tool: 'drop_database',
      input: { name: 'dev' },
      scopes: ['db:dev'],
      approver: 'ann',
    });
    let runs = 0;
    const resumed = settled(new Gate(w.governance).run(w.call('k'), async () => ++runs));
    await w.clock.settle();
    w.desk.present(w.desk.pending()[0]?.id as string, other);
    const error = await resumed;
    expect((error as Error).message).toContain(
      'by decision of approval: the approval given was other-call',
    );
    expect(runs).toBe(0);
    expect(await w.journal.get('k')).toMatchObject({ state: 'failed', decidedBy: 'approval' });
  });

  it('does not answer it with an approval granted ahead: a person must see it may have happened', async () => {
    const w = world();
    await w.leave('k', 'unknown');
    await w.desk.grant({
      agent: 'ops',
      tool: 'drop_database',
      input: { name: 'prod' },
      scopes: ['db:prod'],
      approver: 'ann',
    });
    let runs = 0;
    void settled(new Gate(w.governance).run(w.call('k'), async () => ++runs));
    await w.clock.settle();
    expect(w.desk.pending()).toMatchObject([{ kind: 'unknown_outcome' }]);
    expect(runs).toBe(0);
  });

  it('lets a rule that denies the call deny the same call made again, asking nobody', async () => {
    const w = world({ rules: [{ id: 'no-appends', tools: ['append_line'], decision: 'deny' }] });
    await w.leave('k1', 'unknown', append, { line: 'x' });
    const error = await settled(
      new Gate(w.governance).run(w.call('k2', append, { line: 'x' }), async () => 1),
    );
    expect((error as Error).message).toBe(
      'append_line was not run: denied by rule:no-appends: the policy denies this call',
    );
    expect(w.desk.pending()).toEqual([]);
  });

  it('lets the same call through once a run of it failed by itself: a definite outcome', async () => {
    const w = world({ rules: [] });
    await w.leave('k1', 'unknown', append, { line: 'x' });
    await w.journal.begin({
      key: 'k2',
      agent: 'ops',
      threadId: 't',
      tool: 'append_line',
      effect: 'write',
      argsHash: canonicalHash({ line: 'x' }),
      scopes: [],
      at: 0,
    });
    await w.journal.advance('k2', 1, { state: 'approved', at: 0 });
    await w.journal.advance('k2', 2, { state: 'executing', at: 0 });
    await w.journal.advance('k2', 3, { state: 'failed', at: 0, reason: 'disk full' });
    expect(
      await new Gate(w.governance).run(w.call('k3', append, { line: 'x' }), async () => 'ran'),
    ).toBe('ran');
  });
});

describe('Policy: onUnknownOutcome', () => {
  it("takes the first matching rule's mode, else the policy's", () => {
    const policy = new Policy({
      onUnknownOutcome: 'ask',
      rules: [
        { id: 'payments', tools: ['charge'], decision: 'ask', onUnknownOutcome: 'fail' },
        { id: 'deploys', tools: ['deploy'], decision: 'ask' },
      ],
    });
    const call = (tool: string) => ({
      agent: 'a',
      tool,
      effect: 'irreversible' as const,
      scopes: [],
    });
    expect(policy.unknownOutcome(call('charge'))).toEqual({ mode: 'fail', by: 'rule:payments' });
    expect(policy.unknownOutcome(call('deploy'))).toEqual({ mode: 'ask', by: 'policy' });
    expect(new Policy().unknownOutcome(call('deploy'))).toEqual({ mode: undefined, by: 'policy' });
    expect(policy.withFreeze([]).onUnknownOutcome).toBe('ask');
  });

  it('refuses a mode it does not know, naming the field', () => {
    const field = (options: PolicyOptions) => {
      try {
        new Policy(options);
      } catch (error) {
        return isGovernanceError(error, 'ERR_INVALID_OPTION') ? error.field : 'other';
      }
      return 'accepted';
    };
    expect(field({ onUnknownOutcome: 'retry' as never })).toBe('onUnknownOutcome');
    expect(field({ rules: [{ id: 'r', decision: 'ask', onUnknownOutcome: 'run' as never }] })).toBe(
      'rules.0.onUnknownOutcome',
    );
  });
});

describe('EFFECT_TRANSITIONS for unknown outcomes', () => {
  it('lets an unknown entry run again or be settled failed, and nothing else', () => {
    expect(() => checkTransition('unknown', 'executing')).not.toThrow();
    expect(() => checkTransition('unknown', 'failed')).not.toThrow();
    for (const to of ['done', 'denied', 'approved', 'unknown'] as const) {
      expect(() => checkTransition('unknown', to)).toThrow(/no transition from unknown/);
    }
    expect(() => checkTransition('failed', 'executing')).toThrow();
  });
});
