import { parseArgs } from 'node:util';
import type { SuiteOptions } from './suite.js';
import { CONTENDERS, type ContenderName } from './workload.js';

export interface CliOptions extends SuiteOptions {
  /** Where the JSON results go (relative paths are from the current directory). */
  readonly json: string | undefined;
  /** Rewrite the generated section of docs/benchmarks.md. */
  readonly docs: boolean;
  readonly list: boolean;
  readonly help: boolean;
}

/**
 * Discarded rounds before the recorded ones. Two: after one, warden's first recorded run was
 * regularly its slowest by 40% to 80% (TurboFan still compiling its hot loops), and the median of
 * five sat on that transition; every contender gets the same two.
 */
export const DEFAULT_WARMUP = 2;

export const USAGE = `Usage: node --expose-gc apps/bench/dist/main.js [case ...] [options]

  case ...             case ids or prefixes to run (same as --only), e.g. ping-pong savina
  --only <ids>         comma-separated case ids or prefixes (default: all)
  --runs <n>           recorded runs per case (default: 5; heavy cases 3)
  --warmup <n>         discarded warm-up runs per case and contender (default: 2)
  --scale <x>          multiply the sizes the targets are set at by x, e.g. 0.1 (default: 1)
  --contenders <list>  comma-separated subset of ${CONTENDERS.join(',')} (default: all)
  --timeout <s>        fail a run that takes longer (default: 300)
  --json <path>        write the results there (default: apps/bench/results/latest.json)
  --docs               regenerate the results section of docs/benchmarks.md
  --list               list the cases and exit
  --help               this text`;

function positiveNumber(
  name: string,
  raw: string | undefined,
  integer: boolean,
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${raw}`);
  }
  return value;
}

function list(raw: readonly string[] | undefined): string[] {
  return (raw ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Parses and validates the command line; throws an Error naming the bad option. */
export function parseCli(argv: readonly string[]): CliOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      only: { type: 'string', multiple: true },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      scale: { type: 'string' },
      contenders: { type: 'string', multiple: true },
      timeout: { type: 'string' },
      json: { type: 'string' },
      docs: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const contenders = list(values.contenders);
  for (const c of contenders) {
    if (!CONTENDERS.includes(c as ContenderName)) {
      throw new Error(`--contenders: unknown contender ${c} (expected ${CONTENDERS.join(', ')})`);
    }
  }
  const warmup = values.warmup === undefined ? DEFAULT_WARMUP : Number(values.warmup);
  if (!Number.isInteger(warmup) || warmup < 0) {
    throw new Error(`--warmup must be an integer >= 0, got ${values.warmup}`);
  }
  return {
    only: [...list(values.only), ...positionals],
    runs: positiveNumber('runs', values.runs, true),
    warmup,
    scale: positiveNumber('scale', values.scale, false) ?? 1,
    contenders: contenders.length === 0 ? CONTENDERS : (contenders as ContenderName[]),
    timeoutMs: (positiveNumber('timeout', values.timeout, false) ?? 300) * 1000,
    json: values.json,
    docs: values.docs,
    list: values.list,
    help: values.help,
  };
}
