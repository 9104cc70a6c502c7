/**
 * The code examples of docs/testkit.md, each between `// #region name` and `// #endregion`
 * (docs-examples.test.ts holds the docs to them word for word). The tutorial's agent tree is
 * built twice: with its two planted bugs, which the testkit must find, and fixed, which must pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defineAgent,
  defineTool,
  type ModelRequest,
  runTask,
  type ToolResultPart,
} from '@warden/agents';
import { defineActor, type Node, reply, sleep, startSupervisor } from '@warden/core';
import {
  checkSystem,
  type Fault,
  faultSchedule,
  invariant,
  isTestkitError,
  noDuplicateEffects,
  replaySystem,
  type Setup,
  type Simulation,
  type SystemCheckFailure,
  singleInstance,
} from '@warden/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// #region testkit-email
/**
 * The email provider, a process: it sends what it is asked to, at once, and answers. Given a
 * key, it sends once per key, as a provider with idempotency keys does.
 */
const emailProvider = defineActor<{ sim: Simulation; sent: Set<string> }, Simulation>({
  init: (sim) => ({ sim, sent: new Set() }),
  handleCall: (req: { invoice: number; key?: string }, _from, state) => {
    if (req.key !== undefined && state.sent.has(req.key)) return reply('sent', state);
    if (req.key !== undefined) state.sent.add(req.key);
    state.sim.effects.record({ tool: 'send_invoice', key: `invoice:${req.invoice}` });
    return reply('sent', state);
  },
});
// #endregion

/** Asks until answered, as a queue consumer or a retrying HTTP client would. */
async function ask(node: Node, threadId: string): Promise<unknown> {
  let last: unknown;
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      return await runTask(node, 'assistant', { task: 'Close ticket 42', threadId });
    } catch (error) {
      last = error;
      await sleep(node.clock, 2_000);
    }
  }
  throw last;
}

/**
 * The assistant's model: sync memory, send the invoice (again if sending failed, as a model
 * does when a tool reports an error), sync again, answer.
 */
function assistantTurn(request: ModelRequest) {
  const results = request.messages
    .flatMap((m) => m.content)
    .filter((p): p is ToolResultPart => p.type === 'tool-result');
  const sync = { toolCalls: [{ name: 'sync_memory', input: {} }] };
  const send = { toolCalls: [{ name: 'send_invoice', input: { invoice: 42 } }] };
  if (results.length === 0) return sync;
  if (!results.some((r) => r.name === 'send_invoice' && r.isError !== true)) return send;
  if (results.filter((r) => r.name === 'sync_memory').length < 2) return sync;
  return { text: 'Ticket 42 closed.' };
}

function assistantTree(fixed: boolean): Setup {
  // #region testkit-setup
  const setup: Setup = async (sim) => {
    const node = sim.node('agents');
    const email = node.spawn(sim.actor('email', emailProvider), { args: sim, name: 'email' });
    const syncModel = sim.model('sync-model', {
      script: { text: 'memory synced' },
      latencyMs: 5_000,
      timeoutMs: 20_000,
    });
    // Every process of this agent is a live instance of the "memory-sync" key.
    const syncAgent = sim.actor(
      'memory-sync',
      defineAgent({ name: 'memory-sync', model: syncModel, system: 'You sync memory.' }),
      { instance: 'memory-sync' },
    );
    const syncMemory = defineTool({
      name: 'sync_memory',
      description: 'Starts a memory sync',
      effect: 'write',
      input: z.object({}),
      run: (_input, ctx) => {
        if (fixed) {
          void ctx
            .spawnAgent('memory-sync', syncAgent, 'sync', { ifFinished: 'run-again' })
            .catch(() => {}); // the trigger fires and goes on
        } else {
          // the bug: a sync on every trigger, running or not (no spawn-once)
          ctx.node.spawn(syncAgent, { args: { task: { task: 'sync' }, exitWhenDone: true } });
        }
        return 'sync requested';
      },
    });
    const sendInvoice = defineTool({
      name: 'send_invoice',
      description: 'Emails an invoice to the customer',
      effect: 'write',
      idempotent: true, // "safe to run again": only true if the provider can tell
      timeout: 5_000,
      input: z.object({ invoice: z.number() }),
      run: async ({ invoice }, ctx) => {
        // the bug: nothing tells the provider that two sends are one invoice
        const key = fixed ? `invoice-${invoice}` : undefined;
        await ctx.node.call(email, { invoice, key }, { timeout: 4_000 });
        return 'sent';
      },
    });
    const assistant = defineAgent({
      name: 'assistant',
      model: sim.model('assistant-model', {
        script: assistantTurn,
        latencyMs: 5_000,
        timeoutMs: 10_000,
      }),
      system: 'You close tickets.',
      tools: [syncMemory, sim.tool(sendInvoice)],
    });
    await startSupervisor(node, {
      strategy: 'one_for_one',
      intensity: 20,
      period: 60_000,
      children: [
        {
          id: 'assistant',
          start: { behaviour: sim.actor('assistant', assistant), options: { name: 'assistant' } },
        },
      ],
    });
    void sim.client('ticket-42', () => ask(node, 'ticket-42'));
  };
  // #endregion
  return setup;
}

// #region testkit-options
const options = {
  faults: faultSchedule({
    names: ['assistant'],
    labels: ['assistant', 'memory-sync', 'email'],
    models: ['assistant-model', 'sync-model'],
    tools: ['send_invoice'],
    horizonMs: 40_000,
    maxFaults: 4,
    kinds: ['crash', 'crash-on-message', 'slow', 'model', 'tool'],
    randomCrashes: false,
  }),
  invariants: [singleInstance(), noDuplicateEffects()],
};
// #endregion

/** A timeline the tutorial shows, between `<!-- timeline: name -->` and the end of its block. */
function documented(name: string): string {
  const doc = readFileSync(
    join(import.meta.dirname, '..', '..', '..', 'docs', 'testkit.md'),
    'utf8',
  );
  const m = doc.match(new RegExp(`<!-- timeline: ${name} -->\\s*\`\`\`text\\n([\\s\\S]*?)\`\`\``));
  expect(m, `docs/testkit.md has no timeline "${name}"`).not.toBeNull();
  return (m?.[1] ?? '').replace(/\n$/, '');
}

async function failureOf(run: Promise<unknown>): Promise<SystemCheckFailure> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTestkitError(error, 'ERR_INVARIANT_VIOLATED'), String(error)).toBe(true);
  return error as SystemCheckFailure;
}

describe('docs/testkit.md examples', () => {
  it('finds the planted bugs in the assistant tree and shrinks the schedule', async () => {
    const setup = assistantTree(false);
    // #region testkit-check
    const failure = await checkSystem(setup, options).catch((error: unknown) => error);
    // SystemCheckFailure: invariant "..." broken after N run(s), shrunk M time(s), with the
    // seed, the replay path, the shrunk schedule and the timeline in its message
    // #endregion
    const found = failure as SystemCheckFailure;
    expect(isTestkitError(found, 'ERR_INVARIANT_VIOLATED'), String(found)).toBe(true);
    expect(['at most one live instance per key', 'no duplicate side effect']).toContain(
      found.violation.invariant,
    );
    expect(found.schedule.length).toBeLessThanOrEqual(2);
    expect(found.message).toContain(`FC_SEED=${found.seed} FC_PATH=${found.path}`);
  }, 60_000);

  it('replays a shrunk schedule: a slow provider makes the model send the invoice twice', async () => {
    // #region testkit-replay
    const outcome = await replaySystem(assistantTree(false), {
      ...options,
      seed: 0,
      schedule: [{ kind: 'slow', label: 'email', nth: 1, ms: 6_000 }],
    });
    // #endregion
    expect(outcome.violations[0]?.invariant).toBe('no duplicate side effect');
    expect(outcome.timeline.format()).toBe(documented('invoice-timeline'));
    const fixed = await replaySystem(assistantTree(true), {
      ...options,
      seed: 0,
      schedule: [{ kind: 'slow', label: 'email', nth: 1, ms: 6_000 }],
    });
    expect(fixed.violations).toEqual([]);
  }, 30_000);

  it('replays a shrunk schedule: a slow memory sync overlaps the next one', async () => {
    const outcome = await replaySystem(assistantTree(false), {
      ...options,
      seed: 0,
      schedule: [{ kind: 'model', model: 'sync-model', call: 0, count: 1, fault: 'timeout' }],
    });
    expect(outcome.violations[0]?.invariant).toBe('at most one live instance per key');
    expect(outcome.timeline.format()).toBe(documented('sync-timeline'));
  }, 30_000);

  it('passes the fixed tree over the default 100 runs', async () => {
    const report = await checkSystem(assistantTree(true), options);
    expect(report.runs).toBe(100);
  }, 120_000);

  it("gives a resent call a new idempotency key: the model's retry is a new step", async () => {
    const keys: string[] = [];
    await replaySystem(
      (sim) => {
        const node = sim.node();
        const send = defineTool({
          name: 'send_invoice',
          description: 'Emails an invoice',
          effect: 'write',
          input: z.object({ invoice: z.number() }),
          run: (_input, ctx) => {
            keys.push(ctx.idempotencyKey);
            if (keys.length === 1) throw new Error('provider timed out');
            return 'sent';
          },
        });
        const model = sim.model('m', {
          latencyMs: 100,
          script: [
            { toolCalls: [{ name: 'send_invoice', input: { invoice: 42 } }] },
            { toolCalls: [{ name: 'send_invoice', input: { invoice: 42 } }] },
            { text: 'sent' },
          ],
        });
        const agent = node.spawn(defineAgent({ name: 'a', model, system: '', tools: [send] }));
        void sim.client('t', () => runTask(node, agent, { task: 'invoice', threadId: 't' }));
      },
      { invariants: [], seed: 0, schedule: [] },
    );
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('checks a user invariant', async () => {
    // #region testkit-invariant
    const invoicedOnce = invariant('the customer is invoiced', (sim) =>
      sim.effects.effects.some((e) => e.key === 'invoice:42') ? undefined : 'no invoice was sent',
    );
    // #endregion
    const failure = await failureOf(
      checkSystem(assistantTree(true), {
        ...options,
        runs: 5,
        // the provider hangs on the first send and never answers again
        faults: fc.constant<readonly Fault[]>([{ kind: 'hang', label: 'email', nth: 1 }]),
        invariants: [invoicedOnce],
      }),
    );
    expect(failure.violation.invariant).toBe('the customer is invoiced');
  }, 30_000);
});
