import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli, USAGE } from './cli.js';
import { renderResults, writeResults } from './docs.js';
import { describeMachine, formatMachine } from './machine.js';
import {
  PARAM_HEADERS,
  paramRows,
  RATIO_LEGEND,
  RESULT_HEADERS,
  resultRows,
  TARGET_HEADERS,
  targetRows,
  textTable,
} from './report.js';
import { describeRevision } from './revision.js';
import { runSuite, type SuiteResult, selects } from './suite.js';
import { evaluateTargets } from './targets.js';
import { CONTENDERS } from './workload.js';
import { WORKLOADS } from './workloads/index.js';
import { canMeasureMemory } from './workloads/memory.js';

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = resolve(PACKAGE_DIR, '../..');
const LATEST_JSON = resolve(PACKAGE_DIR, 'results/latest.json');
/** The data behind docs/benchmarks.md, kept in git next to the code that produced it. */
const DOCS_JSON = resolve(PACKAGE_DIR, 'results/benchmarks.json');
const DOCS_MD = resolve(REPO_ROOT, 'docs/benchmarks.md');

/** A path for humans: relative to the current directory when below it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/** The exact command of this run, from the repository root. */
function commandLine(): string {
  const args = process.argv.slice(2);
  const script = relative(REPO_ROOT, process.argv[1] ?? 'apps/bench/dist/main.js');
  const direct = ['node', ...process.execArgv, script, ...args].join(' ');
  const npmScript = process.env.npm_lifecycle_event;
  if (npmScript?.startsWith('bench') === true) {
    return `npm run ${npmScript}${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`;
  }
  return direct;
}

function loadAverage(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}

async function writeJson(path: string, data: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(data, null, 2)}\n`);
}

async function main(): Promise<number> {
  let options: ReturnType<typeof parseCli>;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const cases = WORKLOADS.flatMap((w) => w.cases(options.scale)).filter((c) =>
    selects(options.only, c.id),
  );
  if (options.list) {
    console.log(
      textTable(
        ['case', 'parameters', 'contenders'],
        cases.map((c) => [c.id, c.params, Object.keys(c.run).join(',')]),
      ),
    );
    return 0;
  }
  if (cases.length === 0) {
    console.error(`no case matches ${options.only.join(', ')}; try --list`);
    return 2;
  }
  if (!canMeasureMemory()) {
    console.error(
      'warning: run node with --expose-gc: without it cases are not separated by a GC and memory numbers are noise',
    );
  }
  if (
    options.docs &&
    (options.only.length > 0 ||
      options.scale !== 1 ||
      options.contenders.length < CONTENDERS.length)
  ) {
    console.error(
      '--docs publishes the whole suite: run it without --only, --scale or --contenders',
    );
    return 2;
  }
  const machine = describeMachine();
  console.log(`machine: ${formatMachine(machine)}`);
  const loadBefore = loadAverage();
  const revision = describeRevision(REPO_ROOT);
  const began = performance.now();
  const results = await runSuite(WORKLOADS, options, (line) => console.error(line));
  const suite: SuiteResult = {
    schema: 1,
    date: new Date().toISOString(),
    command: commandLine(),
    revision,
    machine,
    load: { before: loadBefore, after: loadAverage() },
    options: {
      scale: options.scale,
      runs: options.runs,
      warmup: options.warmup,
      contenders: options.contenders,
      only: options.only,
      timeoutMs: options.timeoutMs,
    },
    gc: canMeasureMemory(),
    durationS: (performance.now() - began) / 1000,
    cases: results,
  };
  const targets = evaluateTargets(results);
  console.log(`\n${textTable(PARAM_HEADERS, paramRows(results))}`);
  console.log(`\n${textTable(RESULT_HEADERS, resultRows(results))}\n\n${RATIO_LEGEND}`);
  const judged = targets.filter((t) => t.met !== undefined);
  if (judged.length > 0) console.log(`\n${textTable(TARGET_HEADERS, targetRows(judged))}`);
  const json = options.json === undefined ? LATEST_JSON : resolve(options.json);
  await writeJson(json, { ...suite, targets });
  console.log(`\nresults: ${shown(json)}`);
  if (options.docs) {
    await writeJson(DOCS_JSON, { ...suite, targets });
    await writeResults(DOCS_MD, renderResults(suite, targets));
    console.log(`docs: ${shown(DOCS_MD)} (data: ${shown(DOCS_JSON)})`);
  }
  return results.some((c) => c.results.some((r) => r.error !== undefined)) ? 1 : 0;
}

process.exitCode = await main();
