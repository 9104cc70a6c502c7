import { parseArgs } from 'node:util';
import { type ChaosPlan, parseFaults, SCENARIOS } from './chaos.js';
import { realModels } from './real-models.js';
import { runDemo } from './run-demo.js';
import { invariants, summaryRows } from './summary.js';

const USAGE = `usage: npm run demo -- [--scenario NAME] [--faults LIST] [--seed N]
  scenarios: ${Object.keys(SCENARIOS).join(', ')} (default: mixed)
  faults:    crash=P, rate-limit-storm, outage@Ns[-Ms], hung-tool, duplicate-spawn, context-overflow
  WARDEN_MODEL_URL (+ WARDEN_MODEL_KEY, WARDEN_MODEL) runs it on a real OpenAI-compatible or
  Anthropic endpoint instead of the scripted model.`;

const tty = process.stdout.isTTY === true;
const paint = (code: number) => (text: string) => (tty ? `\u001b[${code}m${text}\u001b[0m` : text);
const dim = paint(2);
const green = paint(32);
const red = paint(31);
const bold = paint(1);

function options(): { plan: ChaosPlan; name: string; seed: number } {
  // `npm run demo -- --seed 7` reaches us as `-- --seed 7`: the separator is not ours.
  const argv = process.argv.slice(2);
  const { values } = parseArgs({
    args: argv[0] === '--' ? argv.slice(1) : argv,
    options: {
      scenario: { type: 'string' },
      faults: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const seed = Number(values.seed ?? 42);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got ${values.seed}`);
  if (values.faults !== undefined)
    return { plan: parseFaults(values.faults), name: values.faults, seed };
  const name = values.scenario ?? 'mixed';
  const plan = SCENARIOS[name];
  if (plan === undefined) throw new Error(`unknown scenario "${name}"\n${USAGE}`);
  return { plan, name, seed };
}

async function main(): Promise<number> {
  const { plan, name, seed } = options();
  const models = realModels(process.env);
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
  let progress = '';
  const report = await runDemo({
    plan,
    seed,
    ...(models === undefined ? {} : { models }),
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
