import {
  type AgentResult,
  type AgentStore,
  ApprovalDesk,
  defineAgent,
  runTask,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { crashingStore, Incarnation } from './crash-store.js';
import {
  durableTools,
  type EffectSink,
  type Plan,
  plannerScript,
  REFUNDS_ASK,
} from './durable-tools.js';

/** What really happened outside the store, and what the operator decided. */
export class World implements EffectSink {
  readonly mails = new Map<string, number>();
  readonly refunds = new Map<string, number>();
  reads = 0;
  /** Approvals the operator issued, by nonce: the oracle for "never without approval". */
  readonly issued = new Set<string>();
  readonly deniedUnknown: string[] = [];

  effect(kind: 'read' | 'mail' | 'refund', key: string): void {
    if (kind === 'read') this.reads++;
    else {
      const map = kind === 'mail' ? this.mails : this.refunds;
      map.set(key, (map.get(key) ?? 0) + 1);
    }
  }
}

export interface IncarnationOutcome {
  readonly life: Incarnation;
  readonly result: AgentResult | undefined;
}

/**
 * Runs the thread on a fresh node (its own clock, desk and agent process) over the shared store,
 * until the task answers or the node dies at `crashAt`. The operator approves every refund the
 * policy sends to a person and denies re-running a call whose outcome is unknown.
 */
export async function runIncarnation(
  store: AgentStore,
  world: World,
  plan: Plan,
  crashAt: number,
  n: number,
): Promise<IncarnationOutcome> {
  const clock = new TestClock();
  const node = createNode({ name: `node-${n}`, clock });
  const life = new Incarnation(crashAt);
  const durable = crashingStore(store, life);
  const desk = new ApprovalDesk({ clock, store: durable.approvals, timeoutMs: 60_000 });
  const agent = defineAgent({
    name: 'ops',
    model: createScriptedModel({ clock, latencyMs: 10, script: plannerScript(plan) }),
    system: 'You handle tickets.',
    tools: durableTools(world),
    store: durable,
    policy: REFUNDS_ASK,
    approvals: { desk },
    limits: { steps: 40 },
  });
  let result: AgentResult | undefined;
  let failure: unknown;
  runTask(node, node.spawn(agent), { task: 'handle the tickets', threadId: 'thread' }).then(
    (r) => {
      result = r;
    },
    (e: unknown) => {
      failure = e;
    },
  );
  for (let round = 0; round < 400 && result === undefined && !life.dead; round++) {
    await clock.settle();
    for (const request of desk.pending()) {
      if (life.dead) break;
      if (request.kind === 'unknown_outcome') {
        world.deniedUnknown.push(request.id);
        desk.deny(request.id, { approver: 'ann', reason: 'checked: do not run it again' });
      } else {
        // Not awaited: if the node dies while the approval is being stored, it never answers.
        desk.approve(request.id, { approver: 'ann' }).then(
          (approval) => world.issued.add(approval.nonce),
          () => undefined,
        );
      }
    }
    if (failure !== undefined && !life.dead) throw failure;
    await clock.advance(50);
  }
  // A dead node is left as it is (its clock never moves again); a live one is stopped.
  if (!life.dead) {
    const stopped = node.stop();
    await clock.settle();
    await stopped;
  }
  if (!life.dead && result === undefined) {
    throw new Error(`incarnation ${n} neither finished nor crashed (${String(failure)})`);
  }
  return { life, result };
}
