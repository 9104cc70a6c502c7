import { TestClock } from '@warden/core/testing';
import { FeatureFlags } from '@warden/resilience';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApprovalDesk } from '../../src/governance/approval-desk.js';
import { type AuditLog, MemoryAuditLog } from '../../src/governance/audit-log.js';
import { CapabilitySet } from '../../src/governance/capability-set.js';
import { type EffectJournal, MemoryEffectJournal } from '../../src/governance/effect-journal.js';
import { Gate } from '../../src/governance/gate.js';
import { NowLedger } from '../../src/governance/gate-now.js';
import { resolveGovernance } from '../../src/governance/governance.js';
import { defineTool } from '../../src/tools/tool.js';
import { replayParams } from './replay-params.js';

/** The same classes, seen by the gate as any other journal and log: its awaited path. */
class AwaitedJournal extends MemoryEffectJournal {}
class AwaitedAuditLog extends MemoryAuditLog {}

type Outcome = 'ok' | 'throws' | 'aborts';

interface Step {
  /** 0 read, 1 write, 2 irreversible, 3 idempotent write, 4 a read whose scope throws. */
  readonly tool: number;
  readonly arg: number;
  /** Arguments with no canonical form (a class instance after the schema). */
  readonly unhashable: boolean;
  /** Met again: the key of an earlier step (when there is one), else a new key. */
  readonly again: boolean;
  readonly outcome: Outcome;
  /** An approval granted ahead for this exact call, when it asks a person. */
  readonly granted: boolean;
  readonly freeze: boolean;
}

interface Scenario {
  readonly steps: readonly Step[];
  /** Grants only write calls on `fs:a`: the rest is denied by capability. */
  readonly narrow: boolean;
  /** A rule asking a person for writes (there is a desk, or none). */
  readonly askWrites: boolean;
  readonly desk: boolean;
  readonly onUnknownOutcome: 'ask' | 'fail';
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  tool: fc.nat(4),
  arg: fc.nat(2),
  unhashable: fc.boolean(),
  again: fc.boolean(),
  outcome: fc.constantFrom<Outcome>('ok', 'ok', 'throws', 'aborts'),
  granted: fc.boolean(),
  freeze: fc.boolean(),
});

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  steps: fc.array(stepArb, { maxLength: 14 }),
  narrow: fc.boolean(),
  askWrites: fc.boolean(),
  desk: fc.boolean(),
  onUnknownOutcome: fc.constantFrom<'ask' | 'fail'>('ask', 'fail'),
});

class Opaque {
  constructor(readonly value: number) {}
}

function toolsOf(runs: string[]) {
  const input = z
    .object({ n: z.number(), opaque: z.boolean() })
    .transform(({ n, opaque }) => (opaque ? { n: new Opaque(n) } : { n }));
  const run = (name: string) => (args: { n: unknown }, ctx: { idempotencyKey: string }) => {
    runs.push(`${name}:${ctx.idempotencyKey}`);
    return `${name} ${JSON.stringify(args.n)}`;
  };
  return [
    defineTool({ name: 'lookup', description: 'r', effect: 'read', input, run: run('lookup') }),
    defineTool({
      name: 'write_file',
      description: 'w',
      effect: 'write',
      input,
      scope: ({ n }) => (n instanceof Opaque ? 'fs:a' : `fs:${n === 0 ? 'a' : 'b'}`),
      run: run('write_file'),
    }),
    defineTool({
      name: 'drop_db',
      description: 'x',
      effect: 'irreversible',
      input,
      scope: () => 'db:prod',
      run: run('drop_db'),
    }),
    defineTool({
      name: 'send_mail',
      description: 'w',
      effect: 'write',
      idempotent: true,
      input,
      run: run('send_mail'),
    }),
    defineTool({
      name: 'peek',
      description: 'r',
      effect: 'read',
      input,
      scope: () => {
        throw new Error('no idea');
      },
      run: run('peek'),
    }),
  ];
}

/** Runs a scenario through one gate; answers everything it left behind. */
async function play(scenario: Scenario, journal: EffectJournal, audit: AuditLog) {
  const clock = new TestClock();
  const flags = new FeatureFlags({ clock, flags: { freeze: false } });
  const desk = scenario.desk ? new ApprovalDesk({ clock, timeoutMs: 1_000 }) : undefined;
  const governance = resolveGovernance({
    capabilities: scenario.narrow
      ? CapabilitySet.of([{ tools: ['write_file'], upTo: 'write', scopes: ['fs:a'] }])
      : CapabilitySet.all(),
    policy: {
      rules: scenario.askWrites ? [{ id: 'writes', effects: ['write'], decision: 'ask' }] : [],
      freeze: [{ flags, flag: 'freeze' }],
      onUnknownOutcome: scenario.onUnknownOutcome,
    },
    ...(desk === undefined ? {} : { approvals: { desk } }),
    journal,
    audit,
  });
  const gate = new Gate(governance);
  const runs: string[] = [];
  const tools = toolsOf(runs);
  const outcomes: unknown[] = [];
  const keys: string[] = [];
  for (const [index, step] of scenario.steps.entries()) {
    const tool = tools[step.tool] as (typeof tools)[number];
    const parsed = tool.input.parse({ n: step.arg, opaque: step.unhashable });
    const key =
      step.again && keys.length > 0 ? (keys[step.arg % keys.length] as string) : `k${index}`;
    keys.push(key);
    if (step.freeze) flags.enable('freeze', 'test');
    else flags.disable('freeze', 'test');
    if (desk !== undefined && step.granted && !step.unhashable) {
      await desk.grant({
        agent: 'a',
        tool: tool.name,
        input: parsed,
        scopes:
          tool.name === 'drop_db'
            ? ['db:prod']
            : tool.name === 'write_file'
              ? [`fs:${step.arg === 0 ? 'a' : 'b'}`]
              : [],
        approver: 'ann',
      });
    }
    const controller = new AbortController();
    const execute = async () => {
      const value = await tool.run(parsed as never, { idempotencyKey: key } as never);
      if (step.outcome === 'aborts') controller.abort(new Error('killed'));
      if (step.outcome !== 'ok')
        throw Object.assign(new Error(`${tool.name} broke`), { code: 'E_BROKE' });
      return value;
    };
    const settled = gate
      .run(
        {
          agent: 'a',
          threadId: 't',
          tool,
          input: parsed,
          key,
          signal: controller.signal,
          now: () => clock.now(),
        },
        execute,
      )
      .then(
        (value) => ({ value }),
        (error: { code?: string; message?: string }) => ({
          code: error.code,
          message: error.message,
        }),
      );
    let done = false;
    void settled.then(() => {
      done = true;
    });
    await clock.settle();
    // A person who never answers: the deadline decides (both paths wait the same way).
    if (!done) await clock.advance(1_000);
    outcomes.push(await settled);
    await clock.advance(1);
  }
  // Nonces are random: each is named by the order it was first used in.
  const nonces = new Map<string, string>();
  const entries = (await journal.list('t')).map((entry) => {
    if (entry.approval === undefined) return entry;
    if (!nonces.has(entry.approval)) nonces.set(entry.approval, `nonce ${nonces.size}`);
    return { ...entry, approval: nonces.get(entry.approval) };
  });
  return { outcomes, runs, journal: entries, audit: await audit.entries() };
}

describe('the gate on the in-memory journal and log', () => {
  it('takes the synchronous path only for exactly the in-memory classes', () => {
    const of = (journal: EffectJournal, audit: AuditLog) =>
      NowLedger.of(resolveGovernance({ journal, audit })) !== undefined;
    expect(of(new MemoryEffectJournal(), new MemoryAuditLog())).toBe(true);
    expect(of(new AwaitedJournal(), new MemoryAuditLog())).toBe(false);
    expect(of(new MemoryEffectJournal(), new AwaitedAuditLog())).toBe(false);
    const spied = new MemoryEffectJournal();
    spied.advance = (key, version, change) =>
      MemoryEffectJournal.prototype.advance.call(spied, key, version, change);
    expect(of(spied, new MemoryAuditLog())).toBe(false);
  });

  it('writes the same journal entries and audit chain, and runs the same calls, as the awaited path', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const now = await play(scenario, new MemoryEffectJournal(), new MemoryAuditLog());
        const awaited = await play(scenario, new AwaitedJournal(), new AwaitedAuditLog());
        expect(now).toEqual(awaited);
      }),
      replayParams({ numRuns: 1_000 }),
    );
  }, 120_000);
});
