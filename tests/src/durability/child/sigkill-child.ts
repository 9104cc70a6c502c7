/**
 * A node that runs one agent thread over a durable store until it is done, for the SIGKILL
 * tests: the parent kills it at a random moment of its run and starts it again, over and over.
 *
 * It writes what happened outside the store to append-only files in `dir` (the parent's oracle):
 * `effects.log` gets a line per tool effect as it lands (`refund <key>`), `operator.log` a line
 * per decision of the operator before it takes effect (`approve <argsHash>`,
 * `deny-unknown <key>`). Progress goes to standard output, one `p` line per event of the node, written
 * synchronously, so the parent can kill it at the n-th event; `done <result>` ends a run.
 *
 * Configuration: a JSON object in WARDEN_CHILD:
 * `{ store: 'sqlite' | 'postgres', location, schema?, dir, threadId, plan }`.
 */
import { appendFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
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
// Every event of the node counts as progress (processes, messages, the agent's own events), so
// the n-th one is anywhere in the run.
node.inspect(() => {
  writeSync(1, 'p\n');
});
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
      if (kind !== 'read') appendFileSync(effects, `${kind} ${key}\n`);
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

const result = await runTask(node, node.spawn(agent), {
  task: 'handle the tickets',
  threadId: config.threadId,
});
writeSync(1, `done ${JSON.stringify(result)}\n`);
clearInterval(operatorTimer);
await node.stop();
await store.close();
process.exit(0);
