import { formatValue, medianOf, ratioVsRaw } from './compare.js';
import type { CaseResult } from './suite.js';
import { SAVINA } from './workloads/index.js';

export interface TargetResult {
  readonly label: string;
  readonly goal: string;
  readonly measured: string;
  /** Undefined when the run did not measure it (filtered out, or a contender failed). */
  readonly met: boolean | undefined;
}

type Cases = ReadonlyMap<string, CaseResult>;

function speedTarget(cases: Cases, id: string, min: number): TargetResult {
  const c = cases.get(id);
  const warden = c?.results.find((r) => r.contender === 'warden');
  const ratio = c !== undefined && warden !== undefined ? ratioVsRaw(c, warden) : undefined;
  return {
    label: `${id}: warden vs raw`,
    goal: `>= ${min.toFixed(1)}x raw`,
    measured: ratio === undefined ? '-' : `${ratio.value.toFixed(2)}x`,
    met: ratio === undefined ? undefined : ratio.value >= min,
  };
}

function ceilingTarget(
  cases: Cases,
  id: string,
  key: string,
  max: number,
  unit: string,
  label: string,
): TargetResult {
  const value = medianOf(cases.get(id), 'warden', key);
  return {
    label,
    goal: `<= ${max} ${unit}`,
    measured: value === undefined ? '-' : `${formatValue(value)} ${unit}`,
    met: value === undefined ? undefined : value <= max,
  };
}

function scalingTarget(cases: Cases): TargetResult {
  const small = medianOf(cases.get('supervisor-scaling/1k'), 'warden');
  const large = medianOf(cases.get('supervisor-scaling/100k'), 'warden');
  const ratio = small !== undefined && large !== undefined ? large / small : undefined;
  return {
    label: 'supervisor-scaling: time 100k / time 1k',
    goal: '<= 120',
    measured: ratio === undefined ? '-' : ratio.toFixed(1),
    met: ratio === undefined ? undefined : ratio <= 120,
  };
}

function savinaTarget(cases: Cases, name: string): TargetResult {
  const c = cases.get(`savina/${name}`);
  const warden = medianOf(c, 'warden');
  const peers = (['xstate', 'nact'] as const)
    .map((contender) => ({ contender, ms: medianOf(c, contender) }))
    .filter((p): p is { contender: 'xstate' | 'nact'; ms: number } => p.ms !== undefined);
  const measured =
    warden === undefined
      ? '-'
      : [
          `warden ${formatValue(warden)}`,
          ...peers.map((p) => `${p.contender} ${formatValue(p.ms)}`),
        ]
          .join(', ')
          .concat(' ms');
  return {
    label: `savina/${name}: warden faster than xstate and nact`,
    goal: 'warden < each peer',
    measured,
    met: warden === undefined || peers.length < 2 ? undefined : peers.every((p) => warden < p.ms),
  };
}

/** The targets of the benchmark issue, judged on medians of this run. */
export function evaluateTargets(results: readonly CaseResult[]): TargetResult[] {
  const cases: Cases = new Map(results.map((c) => [c.id, c]));
  return [
    speedTarget(cases, 'ping-pong', 0.5),
    speedTarget(cases, 'fan-out', 0.6),
    speedTarget(cases, 'spawn-churn/one-at-a-time', 0.3),
    speedTarget(cases, 'spawn-churn/all-live', 0.3),
    ceilingTarget(
      cases,
      'memory',
      'bytes',
      600,
      'B',
      'memory: retained heap per idle warden actor',
    ),
    ceilingTarget(
      cases,
      'restart-latency/one_for_one',
      'p99',
      200,
      'µs',
      'restart one_for_one: p99',
    ),
    ceilingTarget(
      cases,
      'restart-latency/one_for_all-100',
      'p99',
      5000,
      'µs',
      'restart one_for_all group of 100: p99',
    ),
    scalingTarget(cases),
    ...SAVINA.map((bench) => savinaTarget(cases, bench.name)),
  ];
}
