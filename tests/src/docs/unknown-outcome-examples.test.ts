/**
 * The unknown-outcome examples of docs/agents/governance.md, each between `// #region name` and
 * `// #endregion`; docs-examples.test.ts checks the docs hold them word for word.
 */
import { ApprovalDesk, agentStatus, defineAgent, defineTool, runTask } from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode, isWardenError } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * A billing agent whose charge dies half-way: the tool kills its own agent on the first run and
 * hangs, as a node that crashed while the payment provider was answering.
 */
function world() {
  const clock = new TestClock();
  const node = createNode({ name: 'docs', clock });
  const charges: string[] = [];
  const chargeCard = defineTool({
    name: 'charge_card',
    description: 'Charges an order to the customer card',
    effect: 'irreversible',
    input: z.object({ order: z.number(), amount: z.number() }),
    scope: ({ order }) => `order:${order}`,
    run: async ({ order }, ctx) => {
      charges.push(ctx.idempotencyKey);
      if (charges.length === 1) {
        ctx.node.exit(ctx.agent, 'kill');
        await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', reject));
      }
      return `charged order ${order}`;
    },
  });
  const model = createScriptedModel({
    clock,
    script: [
      { toolCalls: [{ name: 'charge_card', input: { order: 1042, amount: 40 } }] },
      { text: 'Billed.' },
    ],
  });
  return { clock, node, charges, chargeCard, model };
}

describe('docs/agents/governance.md: unknown outcomes', () => {
  it('a call interrupted while it ran waits for a person, who may run it again once', async () => {
    const { clock, node, charges, chargeCard, model } = world();
    // #region governance-unknown-outcome
    const desk = new ApprovalDesk({ clock: node.clock });
    const billing = defineAgent({
      name: 'billing',
      model,
      system: 'You bill orders.',
      tools: [chargeCard],
      policy: { rules: [{ id: 'finance', tools: ['charge_card'], decision: 'ask' }] },
      approvals: { desk },
    });
    // #endregion
    await desk.grant({
      agent: 'billing',
      tool: 'charge_card',
      input: { order: 1042, amount: 40 },
      scopes: ['order:1042'],
      approver: 'dana',
    });
    const thread = { task: 'Bill order 1042', threadId: 'order-1042' };
    const crashed = await runTask(node, node.spawn(billing), thread).catch((e: unknown) => e);
    expect(isWardenError(crashed, 'ERR_EXIT')).toBe(true);
    // #region governance-unknown-outcome-resume
    // The process died while charge_card ran; the thread resumes on a new one.
    const pid = node.spawn(billing);
    const done = runTask(node, pid, { task: 'Bill order 1042', threadId: 'order-1042' });
    await clock.settle();
    const waiting = await agentStatus(node, pid); // { state: 'awaiting_approval', ... }
    const request = desk.pending().find((r) => r.kind === 'unknown_outcome');
    // request: { kind: 'unknown_outcome', tool: 'charge_card', input: { order: 1042, amount: 40 },
    //   reason: 'this call was interrupted while it ran: it may have happened. Run it again?',
    //   interrupted: <the call's journal key>, resource: 'order:1042', deadline, ... }
    // The payment provider shows no charge: run it again, once, with the same idempotency key.
    if (request !== undefined) await desk.approve(request.id, { approver: 'dana' });
    await done; // charge_card ran twice in all: once interrupted, once approved
    // #endregion
    expect(waiting).toMatchObject({ state: 'awaiting_approval' });
    expect(request).toMatchObject({
      kind: 'unknown_outcome',
      tool: 'charge_card',
      input: { order: 1042, amount: 40 },
      reason: 'this call was interrupted while it ran: it may have happened. Run it again?',
      resource: 'order:1042',
    });
    expect(charges).toHaveLength(2);
    expect(new Set(charges).size).toBe(1);
    expect(request?.interrupted).toBe(charges[0]);
    expect((await done).outcome).toBe('done');
    expect(await agentStatus(node, pid)).toMatchObject({ state: 'done' });
  });

  it('a policy that says fail tells the model at once, and nobody is asked', async () => {
    const { clock, node, charges, chargeCard, model } = world();
    const desk = new ApprovalDesk({ clock: node.clock });
    const billing = defineAgent({
      name: 'billing',
      model,
      system: 'You bill orders.',
      tools: [chargeCard],
      // #region governance-unknown-outcome-fail
      policy: {
        rules: [
          // A charge interrupted half-way is never run again: the model is told it may have
          // happened, and a person reconciles it with the payment provider.
          { id: 'finance', tools: ['charge_card'], decision: 'ask', onUnknownOutcome: 'fail' },
        ],
      },
      // #endregion
      approvals: { desk },
    });
    await desk.grant({
      agent: 'billing',
      tool: 'charge_card',
      input: { order: 1042, amount: 40 },
      scopes: ['order:1042'],
      approver: 'dana',
    });
    const thread = { task: 'Bill order 1042', threadId: 'order-1042' };
    await runTask(node, node.spawn(billing), thread).catch(() => undefined);
    const done = runTask(node, node.spawn(billing), thread);
    await clock.settle();
    expect((await done).outcome).toBe('done');
    expect(desk.pending()).toEqual([]);
    expect(charges).toHaveLength(1);
    const told = model.calls.at(-1)?.request.messages.at(-1)?.content[0];
    expect(told).toMatchObject({
      isError: true,
      output: {
        error: 'ERR_PERMISSION_DENIED',
        message:
          'charge_card was interrupted while it ran and may have taken effect. It was not run ' +
          'again, by decision of rule:finance: the policy does not run it again. Check whether ' +
          'it took effect; the same call made again is held the same way.',
      },
    });
  });
});
