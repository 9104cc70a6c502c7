/**
 * A node that runs one agent thread over a durable store until it is done, for the SIGKILL
 * tests: it is SIGKILLed at a random moment of its run and started again, over and over.
 *
 * The kill is a real SIGKILL (no handler, no flush, no cleanup), sent by the process to itself
 * `killAfterMs` after its agent starts, so it lands at a moment of the run chosen by the parent's
 * seed, not at a moment the parent happens to read a line: between store operations, inside a
 * transaction, or while a refund waits for the payment system's answer.
 *
 * It writes what happened outside the store to append-only files in `dir` (the parent's oracle):
 * `effects.log` gets a line per tool effect as it lands (`refund <key>`), `operator.log` a line
 * per decision of the operator before it takes effect (`approve <argsHash>`,
 * `deny-unknown <key>`). `done <result>` on standard output ends a run.
 *
 * Configuration: a JSON object in WARDEN_CHILD:
 * `{ store: 'sqlite' | 'postgres', location, schema?, dir, threadId, plan, killAfterMs? }`.
 */
import { appendFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AgentStore, ApprovalDesk, defineAgent, runTask } from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode, systemClock } from '@warden/core';
import { durableTools, type Plan, plannerScript, REFUNDS_ASK } from '../durable-tools.js';

interface ChildConfig {
  readonly store: 'sqlite' | 'postgres';
  readonly location: string;
  readonly schema?: string;
  readonly dir: string;
  readonly threadId: string;
  readonly plan: Plan;
  readonly killAfterMs?: number;
}

const config = JSON.parse(process.env.WARDEN_CHILD ?? '') as ChildConfig;
const effects = join(config.dir, 'effects.log');
const operator = join(config.dir, 'operator.log');

// Each store is loaded only when asked for: a SQLite child needs no PostgreSQL driver.
const store: AgentStore =
  config.store === 'sqlite'
    ? await (await import('@warden/store-sqlite')).openSqliteStore({ path: config.location })
    : await (await import('@warden/store-postgres')).openPostgresStore({
        connectionString: config.location,
        ...(config.schema === undefined ? {} : { schema: config.schema }),
      });

const node = createNode({ name: `child-${process.pid}`, clock: systemClock });
const desk = new ApprovalDesk({ clock: systemClock, store: store.approvals, timeoutMs: 30_000 });
const agent = defineAgent({
  name: 'ops',
  model: createScriptedModel({
    clock: systemClock,
    latencyMs: 1,
    script: plannerScript(config.plan),
  }),
  system: 'You handle tickets.',
  tools: durableTools({
    effect: (kind, key) => {
      if (kind === 'read') return;
      appendFileSync(effects, `${kind} ${key}\n`);
      // The payment system answers a while after the money moved: a kill in that while leaves
      // the call executing in the journal, its outcome unknown to whoever resumes.
      if (kind === 'refund') return sleep(15);
    },
  }),
  store,
  policy: REFUNDS_ASK,
  approvals: { desk },
  limits: { steps: 100 },
});

// The operator: approves every refund, and never lets a call whose outcome is unknown run again.
const operatorTimer = setInterval(() => {
  for (const request of desk.pending()) {
    if (request.kind === 'unknown_outcome') {
      appendFileSync(operator, `deny-unknown ${request.interrupted}\n`);
      desk.deny(request.id, { approver: 'ann', reason: 'do not run it again' });
    } else {
      appendFileSync(operator, `approve ${request.argsHash}\n`);
      desk.approve(request.id, { approver: 'ann' }).catch(() => undefined);
    }
  }
}, 1);

const pid = node.spawn(agent);
if (config.killAfterMs !== undefined) {
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), config.killAfterMs);
}
const result = await runTask(node, pid, {
  task: 'handle the tickets',
  threadId: config.threadId,
});
writeSync(1, `done ${JSON.stringify(result)}\n`);
clearInterval(operatorTimer);
await node.stop();
await store.close();
process.exit(0);
