/**
 * Property: whatever the interleaving of tool requests, approvals (valid, forged, replayed,
 * expired, for other arguments, by the requester, late), denials, crashes and restarts of the
 * agent and of the approver, an irreversible effect never runs without a valid approval of that
 * exact call, never runs twice for one approval, and the audit chain always verifies.
 *
 * The system under test is the gate every tool call of an agent passes (the same object the step
 * loop uses), driven directly so a run is small: the journal, the audit log and the approval
 * store outlive a crash of the agent (a new gate, its calls aborted mid-wait or mid-run) and of
 * the approver (it stops answering; what it issued stays issued). The oracle is the test's own
 * record of what the approver really issued, not the store.
 *
 * Replaying a failure: fast-check prints `seed` and `path`. Run
 *   FC_SEED=<seed> FC_PATH=<path> npx vitest run tests/src/properties/governance-approvals.test.ts
 */

import {
  type Approval,
  ApprovalDesk,
  CapabilitySet,
  canonicalHash,
  defineTool,
  Gate,
  type Governance,
  MemoryApprovalStore,
  MemoryAuditLog,
  MemoryEffectJournal,
  Policy,
  verifyAuditChain,
} from '@warden/agents';
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { replayParams } from './replay-params.js';

const RUNS = replayParams<unknown>({ numRuns: Number(process.env.FC_RUNS ?? 1_000) });
const TIMEOUT_MS = 100;
const TTL_MS = 25;
const TARGETS = ['dev', 'prod'] as const;

type Op =
  | {
      readonly op: 'request';
      readonly target: number;
      readonly cascade: boolean;
      readonly hang: boolean;
    }
  | { readonly op: 'resume'; readonly which: number }
  | { readonly op: 'approve'; readonly which: number }
  | { readonly op: 'approveAsRequester'; readonly which: number }
  | { readonly op: 'deny'; readonly which: number }
  | { readonly op: 'presentIssued'; readonly which: number; readonly approval: number }
  | { readonly op: 'presentForged'; readonly which: number; readonly approval: number }
  | { readonly op: 'grant'; readonly target: number; readonly cascade: boolean }
  | { readonly op: 'finish'; readonly which: number }
  | { readonly op: 'advance'; readonly ms: number }
  | { readonly op: 'crashAgent' }
  | { readonly op: 'crashApprover' }
  | { readonly op: 'restartApprover' };

const index = fc.nat({ max: 7 });
const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  w(
    4,
    fc.record({
      op: fc.constant('request' as const),
      target: fc.nat({ max: 1 }),
      cascade: fc.boolean(),
      hang: fc.boolean(),
    }),
  ),
  w(1, fc.record({ op: fc.constant('resume' as const), which: index })),
  w(3, fc.record({ op: fc.constant('approve' as const), which: index })),
  w(1, fc.record({ op: fc.constant('approveAsRequester' as const), which: index })),
  w(1, fc.record({ op: fc.constant('deny' as const), which: index })),
  w(3, fc.record({ op: fc.constant('presentIssued' as const), which: index, approval: index })),
  w(1, fc.record({ op: fc.constant('presentForged' as const), which: index, approval: index })),
  w(
    1,
    fc.record({
      op: fc.constant('grant' as const),
      target: fc.nat({ max: 1 }),
      cascade: fc.boolean(),
    }),
  ),
  w(1, fc.record({ op: fc.constant('finish' as const), which: index })),
  w(2, fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 40 }) })),
  w(1, fc.constant({ op: 'crashAgent' as const })),
  w(1, fc.constant({ op: 'crashApprover' as const })),
  w(1, fc.constant({ op: 'restartApprover' as const })),
);

/** Two calls on one resource can differ in an argument the scope does not read. */
interface Input {
  readonly name: string;
  readonly cascade: boolean;
}

interface Execution {
  readonly key: string;
  readonly input: Input;
  readonly at: number;
  /** The approval its journal entry held when it ran (a re-run after an unknown outcome has its own). */
  readonly nonce: string | undefined;
}

async function runScenario(ops: readonly Op[]): Promise<void> {
  const clock = new TestClock();
  const store = new MemoryApprovalStore();
  const desk = new ApprovalDesk({ clock, store, timeoutMs: TIMEOUT_MS, ttlMs: TTL_MS });
  const journal = new MemoryEffectJournal();
  const audit = new MemoryAuditLog();
  const executions: Execution[] = [];
  /** What the approver really issued: the oracle. */
  const legit = new Map<string, Approval>();
  const issued: Approval[] = [];
  /** Runs that hang until `finish` (or forever, if the agent crashes first). */
  const hanging: (() => void)[] = [];
  const keys: { key: string; input: Input }[] = [];
  let approverUp = true;
  let incarnation = new AbortController();

  const drop = defineTool({
    name: 'drop_database',
    description: 'drops a database',
    effect: 'irreversible',
    input: z.object({ name: z.string(), cascade: z.boolean() }),
    scope: ({ name }) => `db:${name}`,
    run: () => 'dropped',
  });
  const governance: Governance = {
    capabilities: CapabilitySet.all(),
    policy: new Policy({ rules: [{ id: 'ask', decision: 'ask' }] }),
    journal,
    audit,
    desk,
    onTimeout: 'deny',
  };
  let gate = new Gate(governance);

  const start = (key: string, input: Input, hang: boolean) => {
    const signal = incarnation.signal;
    const execute = async () => {
      const nonce = (await journal.get(key))?.approval;
      executions.push({ key, input, at: clock.now(), nonce });
      if (!hang) return 'dropped';
      return new Promise<unknown>((resolve, reject) => {
        hanging.push(() => resolve('dropped'));
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    };
    gate
      .run(
        {
          agent: 'ops',
          threadId: 't',
          tool: drop,
          input,
          key,
          signal,
          now: () => clock.now(),
        },
        execute,
      )
      .catch(() => undefined);
  };
  const pendingAt = (which: number) => {
    const pending = desk.pending();
    return pending.length === 0 ? undefined : pending[which % pending.length];
  };
  const remember = (approval: Approval) => {
    legit.set(approval.nonce, approval);
    issued.push(approval);
  };

  for (const op of ops) {
    switch (op.op) {
      case 'request': {
        const key = `k${keys.length}`;
        const input = { name: TARGETS[op.target] as string, cascade: op.cascade };
        keys.push({ key, input });
        start(key, input, op.hang);
        break;
      }
      case 'resume': {
        const known = keys[op.which % Math.max(1, keys.length)];
        if (known !== undefined) start(known.key, known.input, false);
        break;
      }
      case 'approve': {
        const request = pendingAt(op.which);
        if (approverUp && request !== undefined)
          remember(await desk.approve(request.id, { approver: 'ann' }));
        break;
      }
      case 'approveAsRequester': {
        const request = pendingAt(op.which);
        if (request !== undefined) {
          await expect(desk.approve(request.id, { approver: 'agent:ops' })).rejects.toMatchObject({
            code: 'ERR_SELF_APPROVAL',
          });
        }
        break;
      }
      case 'deny': {
        const request = pendingAt(op.which);
        if (approverUp && request !== undefined) desk.deny(request.id, { approver: 'bob' });
        break;
      }
      case 'presentIssued': {
        // A replayed, expired, or other-call approval: whatever was issued before.
        const request = pendingAt(op.which);
        // Counted from the latest, so a just-used approval is often the one replayed.
        const approval = issued[issued.length - 1 - (op.approval % Math.max(1, issued.length))];
        if (request !== undefined && approval !== undefined) desk.present(request.id, approval);
        break;
      }
      case 'presentForged': {
        const request = pendingAt(op.which);
        if (request !== undefined) {
          const base = issued[op.approval % Math.max(1, issued.length)];
          const forged: Approval = {
            requestId: request.id,
            agent: request.agent,
            tool: request.tool,
            argsHash: request.argsHash,
            resource: request.resource,
            approver: 'mallory',
            expiresAt: clock.now() + 1_000_000,
            nonce: base?.nonce ?? 'f'.repeat(32),
          };
          desk.present(request.id, forged);
        }
        break;
      }
      case 'grant': {
        if (approverUp) {
          const name = TARGETS[op.target] as string;
          remember(
            await desk.grant({
              agent: 'ops',
              tool: 'drop_database',
              input: { name, cascade: op.cascade },
              scopes: [`db:${name}`],
              approver: 'ann',
            }),
          );
        }
        break;
      }
      case 'finish': {
        hanging.splice(op.which % Math.max(1, hanging.length), 1)[0]?.();
        break;
      }
      case 'advance':
        await clock.advance(op.ms);
        break;
      case 'crashAgent':
        // Its in-flight calls are aborted (waits withdrawn, hanging runs abandoned); a new
        // incarnation with a new gate over the same journal, audit log and approval store.
        incarnation.abort();
        incarnation = new AbortController();
        hanging.length = 0;
        gate = new Gate(governance);
        break;
      case 'crashApprover':
        approverUp = false;
        break;
      case 'restartApprover':
        approverUp = true;
        break;
    }
    await clock.settle();
  }
  // Every request times out or is answered; every hanging run finishes.
  for (const finish of hanging.splice(0)) finish();
  await clock.advance(TIMEOUT_MS + 1);

  // An irreversible effect ran only with an approval the approver issued for that exact call,
  // before it expired; and at most once per approval.
  const used = new Set<string>();
  for (const run of executions) {
    const nonce = run.nonce;
    expect(nonce, `execution of ${run.key} without an approval`).toBeDefined();
    const approval = legit.get(nonce as string);
    expect(approval, `execution of ${run.key} with an approval nobody issued`).toBeDefined();
    expect(approval?.argsHash).toBe(canonicalHash(run.input));
    expect(approval?.resource).toBe(`db:${run.input.name}`);
    expect(approval?.approver).not.toBe('agent:ops');
    expect(run.at).toBeLessThan(approval?.expiresAt as number);
    expect(used.has(nonce as string), `approval ${nonce} ran twice`).toBe(false);
    used.add(nonce as string);
  }
  expect(verifyAuditChain(await audit.entries()).ok).toBe(true);
  seen.executions += executions.length;
  for (const entry of await journal.list('t')) {
    if (entry.state === 'denied') seen.denials.add(entry.reason ?? '');
    if (entry.state === 'unknown') seen.unknown++;
  }
}

/** What the runs covered, so a generator that stopped reaching a path fails the test. */
const seen = { executions: 0, unknown: 0, denials: new Set<string>() };

describe('property: irreversible calls run only with a valid approval of that exact call', () => {
  it('holds over random interleavings of requests, approvals, denials and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 24 }), runScenario),
      RUNS,
    );
    if (RUNS.seed === undefined && (RUNS.numRuns ?? 0) >= 1_000) {
      expect(seen.executions).toBeGreaterThan(0);
      expect(seen.unknown).toBeGreaterThan(0);
      for (const reason of ['forged', 'replayed', 'expired', 'other-call']) {
        expect(seen.denials).toContain(`the approval given was ${reason}`);
      }
      expect(seen.denials).toContain('nobody approved it before the deadline');
      expect(seen.denials).toContain('denied by bob');
    }
  }, 120_000);
});
