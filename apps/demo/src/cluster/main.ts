import { parseArgs } from 'node:util';
import { clusterInvariants, clusterRows } from './cluster-summary.js';
import { runCluster } from './run-cluster.js';

const USAGE = `usage: npm run demo:cluster -- [--seed N] [--json] [--dashboard]
  Starts three node processes on 127.0.0.1 (alpha: the planner; bravo, charlie: workers) sharing
  one SQLite file in a temporary folder (one PostgreSQL database when WARDEN_PG_URL is set),
  SIGKILLs the worker node running two or more workers midway, and checks that nothing was lost
  or done twice. --json ends the output with the summary as one JSON line. --dashboard serves
  the live dashboard of the three nodes on 127.0.0.1 and keeps the nodes up after the run until
  Ctrl-C.`;

const tty = process.stdout.isTTY === true;
const paint = (code: number) => (text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
const dim = paint(2);
const green = paint(32);
const red = paint(31);
const bold = paint(1);

function options(): { seed: number; json: boolean; dashboard: boolean } {
  // `npm run demo:cluster -- --seed 7` reaches us as `-- --seed 7`: the separator is not ours.
  const argv = process.argv.slice(2);
  const { values } = parseArgs({
    args: argv[0] === '--' ? argv.slice(1) : argv,
    options: {
      seed: { type: 'string' },
      json: { type: 'boolean' },
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
  return { seed, json: values.json === true, dashboard: values.dashboard === true };
}

async function main(): Promise<number> {
  const { seed, json, dashboard } = options();
  console.log(
    bold(`warden cluster demo: a planner on one node, its workers on two others (seed ${seed})`),
  );
  const report = await runCluster({
    seed,
    onLine: (ms, line) => console.log(`${dim(`[${(ms / 1000).toFixed(1).padStart(5)}s]`)} ${line}`),
    ...(dashboard
      ? {
          dashboard: {
            hold: (url: string) => {
              console.log(bold(`\nthe run is over; its dashboard stays at ${url} until Ctrl-C`));
              return new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
            },
          },
        }
      : {}),
  });
  if (report.error !== undefined) console.log(red(`\nthe run stopped: ${report.error}`));
  console.log(`\n${bold('summary')}`);
  const rows = clusterRows(report);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log(`\n${bold('invariants')}`);
  const invariants = clusterInvariants(report);
  const ok = report.error === undefined && invariants.every((i) => i.holds);
  for (const inv of invariants)
    console.log(
      `  ${inv.holds ? green('ok  ') : red('FAIL')} ${inv.name} ${dim(`(${inv.detail})`)}`,
    );
  console.log(
    ok
      ? green('\na node died with two workers on it: they moved, resumed, and nothing ran twice')
      : red('\nan invariant failed'),
  );
  if (json) {
    console.log(
      JSON.stringify({
        ok,
        seed,
        store: report.storeDescription,
        wallMs: Math.round(report.wallMs),
        error: report.error,
        tempDir: report.tempDir,
        nodes: report.nodes,
        kill: report.kill,
        restarts: report.restarts,
        journal: report.store?.journal,
        rerun: report.store?.entries.filter((e) => e.interrupted).length,
        effects: report.planner?.effects.length,
        repeats: report.repeats,
        invariants,
      }),
    );
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
