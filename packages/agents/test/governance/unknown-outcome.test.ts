import { isWardenError } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { FeatureFlags } from '@warden/resilience';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { agentStatus, cancelTask, runTask } from '../../src/agent/agent-protocol.js';
import { defineAgent } from '../../src/agent/define-agent.js';
import { ApprovalDesk } from '../../src/governance/approval-desk.js';
import { MemoryAuditLog, verifyAuditChain } from '../../src/governance/audit-log.js';
import { MemoryEffectJournal } from '../../src/governance/effect-journal.js';
import { isGovernanceError } from '../../src/governance/governance-error.js';
import type { PolicyOptions } from '../../src/governance/policy.js';
import type { ScriptedTurn } from '../../src/testing/index.js';
import { createScriptedModel } from '../../src/testing/index.js';
import { defineTool } from '../../src/tools/tool.js';
import { agentWorld, outcomeOf } from '../agent/agent-world.js';
import { resultsSeen } from './governance-world.js';

const charge = { toolCalls: [{ name: 'charge_card', input: { amount: 40 } }] };
const done = { text: 'done' };
const ASK: PolicyOptions = {
  rules: [{ id: 'billing-approves', tools: ['charge_card'], decision: 'ask' }],
};

interface Options {
  readonly script?: readonly ScriptedTurn[];
  readonly policy?: PolicyOptions;
  readonly desk?: boolean;
  readonly onTimeout?: 'deny' | 'exit';
  readonly idempotent?: boolean;
  /** Default irreversible (approved ahead); a write runs on the policy's default allow. */
  readonly effect?: 'write' | 'irreversible';
}

/**
 * An agent whose irreversible `charge_card` is approved ahead and killed in the middle of its
 * first run (the process dies while `run` hangs), so its journal entry is left with an unknown
 * outcome; `resume()` starts the same thread on a new process, as a supervisor would.
 */
async function interrupted(options: Options = {}) {
  const { clock, node } = agentWorld();
  const events: Record<string, unknown>[] = [];
  node.inspect((e) => {
    if (e.type === 'published') events.push(e.event as Record<string, unknown>);
  });
  const desk = new ApprovalDesk({ clock, timeoutMs: 60_000 });
  const journal = new MemoryEffectJournal();
  const audit = new MemoryAuditLog();
  const runs: { key: string; amount: number }[] = [];
  const chargeCard = defineTool({
    name: 'charge_card',
    description: 'Charges the customer card',
    effect: options.effect ?? 'irreversible',
    idempotent: options.idempotent ?? false,
    input: z.object({ amount: z.number() }),
    scope: () => 'card:4242',
    run: async ({ amount }, ctx) => {
      runs.push({ key: ctx.idempotencyKey, amount });
      if (runs.length === 1) {
        ctx.node.exit(ctx.agent, 'kill'); // the agent dies while the charge is in flight
        await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', reject));
      }
      return `charged ${amount}`;
    },
  });
  const model = createScriptedModel({ clock, script: [...(options.script ?? [charge, done])] });
  const agent = defineAgent({
    name: 'billing',
    model,
    system: '',
    tools: [chargeCard],
    policy: options.policy ?? ASK,
    ...(options.desk === false
      ? {}
      : { approvals: { desk, onTimeout: options.onTimeout ?? 'deny' } }),
    journal,
    audit,
  });
  await desk.grant({
    agent: 'billing',
    tool: 'charge_card',
    input: { amount: 40 },
    scopes: ['card:4242'],
    approver: 'ann',
  });
  const first = outcomeOf(runTask(node, node.spawn(agent), { task: 'bill', threadId: 'b-1' }));
  await clock.settle();
  expect(isWardenError(first.error(), 'ERR_EXIT')).toBe(true);
  expect(runs).toHaveLength(1);
  const [entry] = await journal.list('b-1');
  expect(entry?.state).toBe('unknown');
  const resume = () => {
    const pid = node.spawn(agent);
    return { pid, result: outcomeOf(runTask(node, pid, { task: 'bill', threadId: 'b-1' })) };
  };
  const key = entry?.key as string;
  return { clock, node, desk, journal, audit, runs, model, events, resume, key };
}

function published(events: readonly Record<string, unknown>[], prefix = 'governance.') {
  return events.filter((e) => String(e.type).startsWith(prefix));
}

describe('a non-idempotent call interrupted while it ran', () => {
  it('waits in awaiting_approval with an unknown-outcome request, and an approval runs it once more with the same key', async () => {
    const w = await interrupted();
    const { pid, result } = w.resume();
    await w.clock.settle();
    expect(await agentStatus(w.node, pid)).toMatchObject({ state: 'awaiting_approval' });
    const [request] = w.desk.pending();
    expect(request).toMatchObject({
      kind: 'unknown_outcome',
      reason: 'this call was interrupted while it ran: it may have happened. Run it again?',
      interrupted: w.key,
      tool: 'charge_card',
      input: { amount: 40 },
      resource: 'card:4242',
      rule: 'rule:billing-approves',
    });
    expect(w.runs).toHaveLength(1);
    expect(published(w.events, 'governance.unknown_outcome')).toEqual([
      expect.objectContaining({
        type: 'governance.unknown_outcome',
        threadId: 'b-1',
        tool: 'charge_card',
        key: w.key,
        next: 'ask',
      }),
    ]);
    await w.desk.approve(request?.id as string, { approver: 'ann' });
    await w.clock.settle();
    expect(result.value().outcome).toBe('done');
    expect(w.runs).toEqual([
      { key: w.key, amount: 40 },
      { key: w.key, amount: 40 },
    ]);
    expect(resultsSeen(w.model)[0]?.output).toBe('charged 40');
    expect(await w.journal.get(w.key)).toMatchObject({
      state: 'done',
      decidedBy: 'person:ann',
      result: 'charged 40',
    });
    expect(published(w.events).at(-1)).toMatchObject({
      type: 'governance.unknown_outcome_decided',
      decision: 'rerun',
      by: 'person:ann',
    });
    const audit = await w.audit.entries();
    expect(audit.map((e) => [e.kind, e.by ?? e.detail])).toEqual([
      ['allowed', 'person:ann'],
      ['executed', undefined],
      ['result', 'unknown'],
      ['requested', 'rule:billing-approves'],
      ['allowed', 'person:ann'],
      ['executed', undefined],
      ['result', 'ok'],
    ]);
    expect(audit[3]?.detail).toBe('outcome unknown');
    expect(verifyAuditChain(audit).ok).toBe(true);
  });

  it('never runs again when a person denies, and the model is told it may have happened', async () => {
    const w = await interrupted();
    const { result } = w.resume();
    await w.clock.settle();
    w.desk.deny(w.desk.pending()[0]?.id as string, {
      approver: 'bob',
      reason: 'the bank shows the charge',
    });
    await w.clock.settle();
    expect(result.value().outcome).toBe('done');
    expect(w.runs).toHaveLength(1);
    expect(resultsSeen(w.model)[0]?.output).toEqual({
      error: 'ERR_PERMISSION_DENIED',
      message:
        'charge_card was interrupted while it ran and may have taken effect. It was not run ' +
        'again, by decision of person:bob: the bank shows the charge. Check whether it took ' +
        'effect; the same call made again is held the same way.',
    });
    expect(await w.journal.get(w.key)).toMatchObject({
      state: 'failed',
      decidedBy: 'person:bob',
      reason: 'outcome unknown, not run again: the bank shows the charge',
    });
    expect(published(w.events).at(-1)).toMatchObject({
      type: 'governance.unknown_outcome_decided',
      decision: 'not_run',
      by: 'person:bob',
    });
    // Met again (another resume of the same step): the same answer, nobody asked, nothing run.
    const again = w.resume();
    await w.clock.settle();
    expect(again.result.value().outcome).toBe('done');
    expect(w.desk.pending()).toEqual([]);
    expect(w.runs).toHaveLength(1);
  });

  it('answers cancel while it waits: the request is withdrawn, nothing runs, and the call stays unknown', async () => {
    const w = await interrupted();
    const { pid, result } = w.resume();
    await w.clock.settle();
    expect(await cancelTask(w.node, pid)).toBe(true);
    await w.clock.settle();
    expect(result.value().outcome).toBe('cancelled');
    expect(w.desk.pending()).toEqual([]);
    expect(w.runs).toHaveLength(1);
    expect((await w.journal.get(w.key))?.state).toBe('unknown');
    // Nobody decided: the next resume asks again.
    w.resume();
    await w.clock.settle();
    expect(w.desk.pending()).toMatchObject([{ kind: 'unknown_outcome', interrupted: w.key }]);
  });

  it('fails closed: nobody deciding by the deadline is a denial, and a late approval finds nothing', async () => {
    const w = await interrupted();
    const { result } = w.resume();
    await w.clock.settle();
    const id = w.desk.pending()[0]?.id as string;
    await w.clock.advance(59_999);
    expect(result.settled()).toBe(false);
    await w.clock.advance(1);
    expect(result.value().outcome).toBe('done');
    expect(w.runs).toHaveLength(1);
    expect(resultsSeen(w.model)[0]?.output).toMatchObject({
      message: expect.stringContaining(
        'not run again, by decision of timeout: nobody decided before the deadline',
      ),
    });
    const late = await w.desk.approve(id, { approver: 'ann' }).catch((e: unknown) => e);
    expect(isGovernanceError(late, 'ERR_UNKNOWN_REQUEST')).toBe(true);
    expect(w.runs).toHaveLength(1);
  });

  it('exits with ERR_APPROVAL_TIMEOUT at the deadline when set to, with the call settled', async () => {
    const w = await interrupted({ onTimeout: 'exit' });
    const { result } = w.resume();
    await w.clock.advance(60_000);
    expect((result.error() as { reason: { code: string } }).reason.code).toBe(
      'ERR_APPROVAL_TIMEOUT',
    );
    expect(await w.journal.get(w.key)).toMatchObject({ state: 'failed', decidedBy: 'timeout' });
    expect(w.runs).toHaveLength(1);
  });

  it('tells the model at once when the policy says fail, and asks nobody', async () => {
    const w = await interrupted({
      policy: {
        rules: [
          {
            id: 'billing-approves',
            tools: ['charge_card'],
            decision: 'ask',
            onUnknownOutcome: 'fail',
          },
        ],
      },
    });
    const { result } = w.resume();
    await w.clock.settle();
    expect(result.value().outcome).toBe('done');
    expect(w.desk.pending()).toEqual([]);
    expect(w.runs).toHaveLength(1);
    expect(resultsSeen(w.model)[0]?.output).toMatchObject({
      message: expect.stringContaining(
        'not run again, by decision of rule:billing-approves: the policy does not run it again',
      ),
    });
    expect(published(w.events).map((e) => [e.type, e.next ?? e.decision])).toEqual([
      ['governance.unknown_outcome', 'fail'],
      ['governance.unknown_outcome_decided', 'not_run'],
    ]);
  });

  it('fails at once by default when no approval desk is set up', async () => {
    const w = await interrupted({ desk: false, effect: 'write', policy: {} });
    const { result } = w.resume();
    await w.clock.settle();
    expect(result.value().outcome).toBe('done');
    expect(w.runs).toHaveLength(1);
    expect(resultsSeen(w.model)[0]?.output).toMatchObject({
      message: expect.stringContaining(
        'by decision of policy: it needs a person to decide and none is set up',
      ),
    });
  });

  it('is held by a freeze switched on since, without asking anyone', async () => {
    const flags = new FeatureFlags({ clock: new TestClock(), flags: { freeze: false } });
    const w = await interrupted({ policy: { ...ASK, freeze: [{ flags, flag: 'freeze' }] } });
    flags.enable('freeze', 'incident');
    const { result } = w.resume();
    await w.clock.settle();
    expect(result.value().outcome).toBe('done');
    expect(w.desk.pending()).toEqual([]);
    expect(w.runs).toHaveLength(1);
    expect(await w.journal.get(w.key)).toMatchObject({
      state: 'failed',
      decidedBy: 'freeze:freeze',
    });
  });

  it('runs again at once, with the same key and without asking, when the tool is idempotent', async () => {
    const w = await interrupted({ idempotent: true });
    const { result } = w.resume();
    await w.clock.settle();
    expect(result.value().outcome).toBe('done');
    expect(w.desk.pending()).toEqual([]);
    expect(w.runs.map((r) => r.key)).toEqual([w.key, w.key]);
    expect(published(w.events)).toEqual([
      expect.objectContaining({ type: 'governance.unknown_outcome', next: 'rerun' }),
    ]);
  });
});

describe('the same call made again while an earlier run of it has an unknown outcome', () => {
  it('is asked about as an unknown outcome, never run on a grant made ahead', async () => {
    const w = await interrupted({ script: [charge, charge, done] });
    const { result } = w.resume();
    await w.clock.settle();
    w.desk.deny(w.desk.pending()[0]?.id as string, { approver: 'bob', reason: 'checking' });
    // A second change ticket for the same charge, made before the model tries again.
    await w.desk.grant({
      agent: 'billing',
      tool: 'charge_card',
      input: { amount: 40 },
      scopes: ['card:4242'],
      approver: 'ann',
    });
    await w.clock.settle();
    // The model plans the same charge again, under a new key: it waits, it does not run.
    const [request] = w.desk.pending();
    expect(request).toMatchObject({ kind: 'unknown_outcome', interrupted: w.key });
    expect(request?.reason).toContain(`an identical call before this one (${w.key})`);
    expect(w.runs).toHaveLength(1);
    await w.desk.approve(request?.id as string, { approver: 'carol' });
    await w.clock.settle();
    expect(result.value().outcome).toBe('done');
    expect(w.runs).toHaveLength(2);
    expect(w.runs[1]?.key).not.toBe(w.key);
  });

  it('is denied with a clear message when the policy says fail', async () => {
    const w = await interrupted({
      script: [charge, charge, done],
      policy: { ...ASK, onUnknownOutcome: 'fail' },
    });
    const { result } = w.resume();
    await w.clock.settle();
    expect(result.value().outcome).toBe('done');
    expect(w.runs).toHaveLength(1);
    expect(resultsSeen(w.model, 1)[0]?.output).toMatchObject({
      message: expect.stringContaining('by decision of policy: the policy does not run it again'),
    });
    expect(resultsSeen(w.model, 2)[0]?.output).toMatchObject({
      error: 'ERR_PERMISSION_DENIED',
      message: `charge_card was not run: denied by policy: an identical call before this one (${w.key}) was interrupted while it ran and may have taken effect; the policy does not run it again`,
    });
  });
});
