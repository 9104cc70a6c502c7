/**
 * Each ready-made invariant holds on a run that keeps it and is broken, with a message naming
 * what happened, on a run that does not.
 */
import {
  ApprovalDesk,
  defineAgent,
  defineTool,
  MemoryAuditLog,
  type NewEffect,
  runTask,
} from '@warden/agents';
import { createNode, defineActor, isPid, reply, startSupervisor } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  approvedIrreversible,
  auditChainIntact,
  budgetsRespected,
  type Fault,
  type Invariant,
  journalExactlyOnce,
  noDuplicateEffects,
  noOrphans,
  nothingLost,
  recordEffect,
  replaySystem,
  restartIntensity,
  type Setup,
  singleInstance,
} from '../src/index.js';

async function verdict(setup: Setup, inv: Invariant, schedule: readonly Fault[] = []) {
  const outcome = await replaySystem(setup, {
    invariants: [inv],
    seed: 1,
    schedule,
    horizonMs: 5_000,
    quietMs: 5_000,
  });
  return outcome.violations[0]?.message;
}

describe('nothingLost', () => {
  it('counts completed, queued and dead-lettered requests as kept, failed and unanswered ones as lost', async () => {
    const setup: Setup = (sim) => {
      sim.node();
      void sim.client('done', async () => 'ok');
      void sim.client('queued', async () => {
        sim.requests.markQueued('queued');
        throw new Error('busy, queued for later');
      });
      void sim.client('dlq', async () => {
        sim.requests.markDeadLettered('dlq');
        throw new Error('poison');
      });
      void sim.client('unanswered', () => new Promise(() => {}));
      void sim.client('failed', async () => {
        throw new Error('refused');
      });
    };
    const message = await verdict(setup, nothingLost());
    expect(message).toBe(
      '2 accepted request(s) neither completed, queued nor dead-lettered: unanswered (pending), failed (failed: refused)',
    );
    expect(await verdict(setup, nothingLost({ isKept: (id) => id !== 'failed' }))).toMatch(
      /^1 .*failed/,
    );
  });
});

describe('noDuplicateEffects and approvedIrreversible', () => {
  it('names the effect made twice, and holds when each is made once', async () => {
    const twice: Setup = (sim) => {
      sim.node();
      sim.effects.record({ tool: 'refund', key: 'refund:7' });
      sim.clock.setTimer(1_000, () => sim.effects.record({ tool: 'refund', key: 'refund:7' }));
      sim.effects.record({ tool: 'refund', key: 'refund:8' });
    };
    expect(await verdict(twice, noDuplicateEffects())).toBe(
      'effect refund refund:7 happened twice (at 0 ms and at 1000 ms)',
    );
    expect(await verdict(twice, noDuplicateEffects({ tools: ['email'] }))).toBeUndefined();
  });

  it('does not count an approval given after the effect', async () => {
    const late: Setup = (sim) => {
      sim.node();
      sim.effects.approve('wire:1');
      sim.effects.record({ tool: 'wire', key: 'wire:1', irreversible: true });
      sim.effects.record({ tool: 'wire', key: 'wire:2', irreversible: true });
      sim.effects.approve('wire:2');
    };
    expect(await verdict(late, approvedIrreversible())).toBe(
      'irreversible wire wire:2 ran at 0 ms without approval',
    );
  });
});

describe('recordEffect', () => {
  it("records a tool's effect in the run its node belongs to, keyed by the call's idempotency key by default", async () => {
    const outside = createNode({ name: 'outside' });
    expect(recordEffect({ node: outside, idempotencyKey: 'k' }, { tool: 'email' })).toBeUndefined();
    await outside.stop();
    const outcome = await replaySystem(
      (sim) => {
        const node = sim.node();
        recordEffect({ node, idempotencyKey: 'key-1' }, { tool: 'email' });
        recordEffect(
          { node, idempotencyKey: 'key-2' },
          { tool: 'wire', key: 'wire:9', irreversible: true },
        );
        sim.note('two effects recorded');
      },
      { invariants: [], seed: 1, schedule: [], horizonMs: 0, quietMs: 0 },
    );
    expect(outcome.simulation.effects.effects.map((e) => [e.tool, e.key, e.irreversible])).toEqual([
      ['email', 'key-1', false],
      ['wire', 'wire:9', true],
    ]);
    expect(outcome.timeline.format()).toContain('system  two effects recorded');
  });
});

describe('singleInstance', () => {
  it('notes two live instances of a key at the instant it happens, and none once the first has ended', async () => {
    const setup =
      (overlap: boolean): Setup =>
      (sim) => {
        const node = sim.node();
        const job = sim.actor(
          'job',
          defineActor<void>({
            init: (_a, ctx) => void ctx.sendAfter(ctx.self, 'done', 1_000),
            handleInfo: () => undefined,
          }),
          { instance: 'nightly' },
        );
        const first = node.spawn(job);
        sim.clock.setTimer(overlap ? 500 : 1_500, () => node.spawn(job));
        sim.clock.setTimer(1_000, () => node.exit(first, 'shutdown'));
      };
    expect(await verdict(setup(true), singleInstance())).toBe(
      '2 live instances of "nightly" at 500 ms',
    );
    expect(await verdict(setup(false), singleInstance())).toBeUndefined();
  });
});

describe('restartIntensity and noOrphans', () => {
  const crashy = defineActor<void>({ handleInfo: () => undefined });

  it('holds each supervisor to the flags it was declared with', async () => {
    const setup: Setup = async (sim) => {
      const node = sim.node();
      const sup = await startSupervisor(node, {
        strategy: 'one_for_one',
        intensity: 10,
        period: 1_000,
        children: [{ id: 'w', start: { behaviour: crashy, options: { name: 'w' } } }],
      });
      // the test declares a tighter bound than the supervisor has: the checker must see it
      if (isPid(sup)) sim.supervisor(sup, { intensity: 2, period: 1_000 });
    };
    const crashes: Fault[] = [100, 200, 300].map((at) => ({
      kind: 'crash',
      at,
      target: { name: 'w' },
      reason: 'error',
    }));
    expect(await verdict(setup, restartIntensity(), crashes)).toMatch(
      /^supervisor <.*> restarted 3 times within 1000 ms \(intensity 2\), the last at 300 ms$/,
    );
    expect(await verdict(setup, restartIntensity(), crashes.slice(0, 2))).toBeUndefined();
    expect(await verdict(setup, restartIntensity({ intensity: 1, period: 100 }), crashes)).toMatch(
      /restarted 3 times/, // declared flags win over the defaults
    );
  });

  it('finds a process whose parent has exited, unless allowed', async () => {
    const setup: Setup = (sim) => {
      const node = sim.node();
      const parent = node.spawn(
        sim.actor(
          'parent',
          defineActor<void>({
            init: (_a, ctx) => {
              ctx.spawn(sim.actor('helper', crashy));
            },
            handleInfo: () => undefined,
          }),
        ),
      );
      sim.clock.setTimer(1_000, () => node.exit(parent, 'kill'));
    };
    expect(await verdict(setup, noOrphans())).toBe(
      'helper is alive but its parent parent has exited',
    );
    expect(await verdict(setup, noOrphans({ allow: (name) => name === 'helper' }))).toBeUndefined();
  });
});

describe('budgetsRespected', () => {
  it("reads each thread's steps and tokens from the agents' own events", async () => {
    const setup: Setup = (sim) => {
      const node = sim.node();
      const agent = node.spawn(
        defineAgent({
          name: 'a',
          system: '',
          model: sim.model('m', {
            latencyMs: 10,
            script: [
              { toolCalls: [{ name: 'noop', input: {} }] },
              { toolCalls: [{ name: 'noop', input: {} }] },
              { text: 'done' },
            ],
          }),
          tools: [
            defineTool({
              name: 'noop',
              description: 'n',
              effect: 'read',
              input: z.object({}),
              run: () => 'ok',
            }),
          ],
        }),
      );
      void sim.client('t', () => runTask(node, agent, { task: 'go', threadId: 't' }));
    };
    expect(await verdict(setup, budgetsRespected({ steps: 3 }))).toBeUndefined();
    expect(await verdict(setup, budgetsRespected({ steps: 2 }))).toBe(
      'thread t made 3 model calls (limit 2)',
    );
    expect(await verdict(setup, budgetsRespected({ tokens: 1 }))).toMatch(
      /^thread t made a model call after spending \d+ tokens of 1$/,
    );
  });
});

describe('governance: the effect journal and the audit log', () => {
  it('reads a governed agent: an irreversible call a person approved, once, and an intact chain', async () => {
    let calls = 0;
    const setup: Setup = (sim) => {
      const node = sim.node();
      const desk = new ApprovalDesk({ clock: sim.clock });
      const wire = defineTool({
        name: 'wire_money',
        description: 'Wires money',
        effect: 'irreversible',
        input: z.object({ amount: z.number() }),
        run: () => {
          calls++;
          return 'wired';
        },
      });
      const agent = node.spawn(
        defineAgent({
          name: 'treasurer',
          system: '',
          model: sim.model('m', {
            latencyMs: 100,
            script: [
              { toolCalls: [{ name: 'wire_money', input: { amount: 10 } }] },
              { text: 'done' },
            ],
          }),
          tools: [wire],
          policy: { rules: [{ id: 'wires', decision: 'ask', tools: ['wire_money'] }] },
          approvals: { desk },
          journal: sim.journal(),
          audit: sim.auditLog(),
        }),
      );
      // a person looks at the desk every second and approves what waits there
      const look = () => {
        for (const request of desk.pending()) void desk.approve(request.id, { approver: 'alice' });
        sim.clock.setTimer(1_000, look);
      };
      look();
      void sim.client('t', () => runTask(node, agent, { task: 'pay', threadId: 't' }));
    };
    const outcome = await replaySystem(setup, {
      invariants: [approvedIrreversible(), journalExactlyOnce(), auditChainIntact(), nothingLost()],
      seed: 1,
      schedule: [],
      horizonMs: 5_000,
      quietMs: 5_000,
    });
    expect(outcome.violations).toEqual([]);
    expect(calls).toBe(1);
    const entries = [...outcome.simulation.journalEntries.values()];
    expect(entries.map((e) => [e.tool, e.state, e.approval !== undefined])).toEqual([
      ['wire_money', 'done', true],
    ]);
  });

  it('finds an irreversible entry run without approval, the same call journaled twice, and a tampered chain', async () => {
    const base: NewEffect = {
      key: 'k1',
      agent: 'a',
      threadId: 't',
      tool: 'wire_money',
      effect: 'irreversible',
      argsHash: 'h',
      scopes: [],
      at: 0,
    };
    const setup: Setup = async (sim) => {
      sim.node();
      const journal = sim.journal();
      for (const key of ['k1', 'k2']) {
        const entry = await journal.begin({ ...base, key });
        const approved = await journal.advance(key, entry.version, { state: 'approved', at: 0 });
        await journal.advance(key, approved.version, { state: 'executing', at: 0 });
      }
      // a log stored where someone can edit an entry in place (a database row, a file)
      const memory = new MemoryAuditLog();
      const audit = sim.auditLog({
        append: (record, at) => memory.append(record, at),
        entries: async () => {
          const [first, ...rest] = await memory.entries();
          return first === undefined ? [] : [{ ...first, tool: 'y' }, ...rest];
        },
      });
      await audit.append(
        { kind: 'allowed', agent: 'a', threadId: 't', tool: 'x', key: 'k', argsHash: 'h' },
        0,
      );
      await audit.append(
        { kind: 'executed', agent: 'a', threadId: 't', tool: 'x', key: 'k', argsHash: 'h' },
        0,
      );
    };
    expect(await verdict(setup, approvedIrreversible())).toBe(
      'irreversible wire_money (thread t) reached executing without an approval',
    );
    expect(await verdict(setup, journalExactlyOnce())).toMatch(
      /^wire_money ran twice in thread t with the same arguments, under keys k1\.\.\. and k2\.\.\.$/,
    );
    expect(await verdict(setup, auditChainIntact())).toBe(
      'audit log 0 breaks at entry 0: hash does not match the entry',
    );
  });
});

describe('supervised systems', () => {
  it('keeps a correct tree within every invariant at once', async () => {
    const setup: Setup = async (sim) => {
      const node = sim.node();
      await startSupervisor(node, {
        strategy: 'one_for_one',
        intensity: 5,
        period: 1_000,
        children: [
          {
            id: 'echo',
            start: {
              behaviour: sim.actor(
                'echo',
                defineActor<void>({ handleCall: () => reply('ok', undefined) }),
              ),
              options: { name: 'echo' },
            },
          },
        ],
      });
      void sim.client('r', () => node.call('echo', 'hi'));
    };
    const outcome = await replaySystem(setup, {
      invariants: [
        nothingLost(),
        noOrphans(),
        restartIntensity({ intensity: 5, period: 1_000 }),
        singleInstance(),
      ],
      seed: 1,
      schedule: [{ kind: 'crash', at: 1_000, target: { name: 'echo' }, reason: 'kill' }],
      horizonMs: 5_000,
      quietMs: 5_000,
    });
    expect(outcome.violations).toEqual([]);
  });
});
