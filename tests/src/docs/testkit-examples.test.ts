/**
 * The code examples of docs/testkit.md, each between `// #region name` and `// #endregion`
 * (docs-examples.test.ts holds the docs to them word for word). The tutorial's agent tree is
 * built twice: with its two planted bugs, which the testkit must find, and fixed, which must pass.
 */
import { defineAgent, defineTool, runTask, type ToolContext } from '@warden/agents';
import { type Node, sleep, startSupervisor } from '@warden/core';
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
/** The email provider: it sends what it is given, once per idempotency key when given one. */
class EmailService {
  readonly #seen = new Set<string>();
  constructor(private readonly sim: Simulation) {}

  async send(what: string, ctx: ToolContext, idempotencyKey?: string): Promise<void> {
    if (idempotencyKey !== undefined && this.#seen.has(idempotencyKey)) return;
    if (idempotencyKey !== undefined) this.#seen.add(idempotencyKey);
    this.sim.effects.record({ tool: 'send_invoice', key: what }); // the customer gets an email
    await sleep(ctx.node.clock, 2_000, ctx.signal); // the provider answers 2 s later
  }
}
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

/** The assistant's model: sync memory, send the invoice, sync again, answer. */
function assistantTurn(request: { messages: readonly { role: string }[] }) {
  const results = request.messages.filter((m) => m.role === 'tool').length;
  if (results === 0 || results === 2) return { toolCalls: [{ name: 'sync_memory', input: {} }] };
  if (results === 1) return { toolCalls: [{ name: 'send_invoice', input: { invoice: 42 } }] };
  return { text: 'Ticket 42 closed.' };
}

function assistantTree(fixed: boolean): Setup {
  // #region testkit-setup
  const setup: Setup = async (sim) => {
    const node = sim.node('agents');
    const email = new EmailService(sim);
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
      idempotent: true, // "safe to run again": only true if the provider gets the key
      input: z.object({ invoice: z.number() }),
      run: async ({ invoice }, ctx) => {
        // the bug: nothing tells the provider that two sends are one; the fix: the invoice
        // is the key (a key derived from the step changes when a resumed task re-plans)
        await email.send(`invoice:${invoice}`, ctx, fixed ? `invoice-${invoice}` : undefined);
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
    labels: ['assistant', 'memory-sync'],
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

  it('replays a shrunk schedule: a crash while the invoice is being sent sends it twice', async () => {
    // #region testkit-replay
    const outcome = await replaySystem(assistantTree(false), {
      ...options,
      seed: 0,
      schedule: [{ kind: 'crash', at: 11_000, target: { name: 'assistant' }, reason: 'kill' }],
    });
    // #endregion
    expect(outcome.violations[0]?.invariant).toBe('no duplicate side effect');
    expect(outcome.violations[0]?.message).toMatch(/invoice:42 happened twice/);
    const text = outcome.timeline.format();
    expect(text).toContain('crash process "assistant" (kill)');
    expect(text).toContain('effect send_invoice invoice:42');
  }, 30_000);

  it('replays a shrunk schedule: a slow memory sync overlaps the next one', async () => {
    const outcome = await replaySystem(assistantTree(false), {
      ...options,
      seed: 0,
      schedule: [{ kind: 'model', model: 'sync-model', call: 0, count: 1, fault: 'timeout' }],
    });
    expect(outcome.violations[0]?.invariant).toBe('at most one live instance per key');
  }, 30_000);

  it('passes the fixed tree over the default 100 runs', async () => {
    const report = await checkSystem(assistantTree(true), options);
    expect(report.runs).toBe(100);
  }, 120_000);

  it('checks a user invariant', async () => {
    // #region testkit-invariant
    const invoicedOnce = invariant('the customer is invoiced', (sim) =>
      sim.effects.effects.some((e) => e.key === 'invoice:42') ? undefined : 'no invoice was sent',
    );
    // #endregion
    const failure = await failureOf(
      checkSystem(assistantTree(true), {
        ...options,
        runs: 200,
        faults: fc.constant<readonly Fault[]>([
          { kind: 'tool', tool: 'send_invoice', nth: 1, failure: 'error' },
        ]),
        invariants: [invoicedOnce],
      }),
    );
    expect(failure.violation.invariant).toBe('the customer is invoiced');
  }, 30_000);
});
