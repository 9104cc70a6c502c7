import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serveDashboard } from '@warden/dashboard';
import { openSqliteStore } from '@warden/store-sqlite';
import { type ChaosPlan, parseFaults, SCENARIOS } from './chaos.js';
import { realModels } from './real-models.js';
import { runDemo } from './run-demo.js';
import { invariants, summaryRows } from './summary.js';

const USAGE = `usage: npm run demo -- [--scenario NAME] [--faults LIST] [--seed N] [--db FILE] [--dashboard]
  scenarios: ${Object.keys(SCENARIOS).join(', ')} (default: mixed)
  faults:    crash=P, rate-limit-storm, outage@Ns[-Ms], hung-tool, duplicate-spawn, context-overflow, freeze
  --db FILE  keep the agents' SQLite database there (default: a temporary file, removed at the end)
  --dashboard  serve the live dashboard on 127.0.0.1, run at a pace a person can watch, and keep
             serving after the run until Ctrl-C
  WARDEN_MODEL_URL (+ WARDEN_MODEL_KEY, WARDEN_MODEL) runs it on a real OpenAI-compatible or
  Anthropic endpoint instead of the scripted model.`;

const tty = process.stdout.isTTY === true;
const paint = (code: number) => (text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
const dim = paint(2);
const green = paint(32);
const red = paint(31);
const bold = paint(1);

interface DemoCli {
  readonly plan: ChaosPlan;
  readonly name: string;
  readonly seed: number;
  readonly db: string | undefined;
  readonly dashboard: boolean;
}

function options(): DemoCli {
  // `npm run demo -- --seed 7` reaches us as `-- --seed 7`: the separator is not ours.
  const argv = process.argv.slice(2);
  const { values } = parseArgs({
    args: argv[0] === '--' ? argv.slice(1) : argv,
    options: {
      scenario: { type: 'string' },
      faults: { type: 'string' },
      seed: { type: 'string' },
      db: { type: 'string' },
      dashboard: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const seed = Number(values.seed ?? 42);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const rest = { seed, db: values.db, dashboard: values.dashboard === true };
  if (values.faults !== undefined)
    return { plan: parseFaults(values.faults), name: values.faults, ...rest };
  const name = values.scenario ?? 'mixed';
  const plan = SCENARIOS[name];
  if (plan === undefined) throw new Error(`unknown scenario "${name}"\n${USAGE}`);
  return { plan, name, ...rest };
}

async function main(): Promise<number> {
  const { plan, name, seed, db, dashboard } = options();
  const models = realModels(process.env);
  // The agents' checkpoints, effect journal, approvals and audit log live in a SQLite file.
  const temp = db === undefined ? mkdtempSync(join(tmpdir(), 'warden-demo-')) : undefined;
  const path = db ?? join(temp as string, 'agents.db');
  const store = await openSqliteStore({ path });
  try {
    return await demo(plan, name, seed, models, store, path, dashboard);
  } finally {
    await store.close();
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
  }
}

async function demo(
  plan: ChaosPlan,
  name: string,
  seed: number,
  models: ReturnType<typeof realModels>,
  store: Awaited<ReturnType<typeof openSqliteStore>>,
  path: string,
  dashboard: boolean,
): Promise<number> {
  console.log(
    bold(
      `warden demo: a planner and its workers triage a support queue (faults: ${name}, seed ${seed})`,
    ),
  );
  console.log(
    dim(
      models === undefined
        ? 'scripted model, virtual time'
        : `real model at ${process.env.WARDEN_MODEL_URL}`,
    ),
  );
  console.log(dim(`agents' state in SQLite: ${path}`));
  let served: { url: string } | undefined;
  let progress = '';
  const report = await runDemo({
    plan,
    seed,
    store,
    ...(models === undefined ? {} : { models }),
    // With the dashboard, a virtual minute takes twelve real seconds, so the tree can be watched.
    ...(dashboard && models === undefined ? { pace: 5 } : {}),
    onStart: async (node, governance) => {
      if (!dashboard) return;
      served = await serveDashboard(node, {
        approvals: governance.desk,
        journal: governance.store.journal,
      });
      console.log(bold(`dashboard: ${served.url}`));
    },
    beforeStop: async () => {
      if (served === undefined) return;
      console.log(bold(`\nthe run is over; its dashboard stays at ${served.url} until Ctrl-C`));
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    },
    onLine: (time, line) => {
      if (tty && progress !== '') process.stdout.write('\r\u001b[K');
      console.log(`${dim(`[${(time / 1000).toFixed(1).padStart(6)}s]`)} ${line}`);
      if (tty && progress !== '') process.stdout.write(progress);
    },
    onProgress: (done, total) => {
      const width = 30;
      const filled = Math.round((done / total) * width);
      progress = `  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} tickets`;
      if (tty) process.stdout.write(`\r\u001b[K${progress}`);
      else if (done === total || done % 5 === 0) console.log(progress);
    },
  });
  if (tty) process.stdout.write('\n');
  console.log(`\n${bold('summary')}`);
  const rows = summaryRows(report);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log(`\n${bold('invariants')}`);
  let ok = true;
  for (const inv of invariants(report)) {
    ok &&= inv.holds;
    console.log(
      `  ${inv.holds ? green('ok  ') : red('FAIL')} ${inv.name} ${dim(`(${inv.detail})`)}`,
    );
  }
  console.log(
    ok
      ? green('\nnothing lost, nothing done twice: the tree survived every injected fault')
      : red('\nan invariant failed'),
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
