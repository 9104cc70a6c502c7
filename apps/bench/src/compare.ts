import type { CaseResult, ContenderResult } from './suite.js';
import type { ContenderName, Metric } from './workload.js';

/** The median of a case's primary metric (or `key`) for one contender, if it ran without error. */
export function medianOf(
  c: CaseResult | undefined,
  contender: ContenderName,
  key?: string,
): number | undefined {
  if (c === undefined) return undefined;
  const result = c.results.find((r) => r.contender === contender);
  if (result === undefined || result.error !== undefined) return undefined;
  return result.summary[key ?? (c.metrics[0] as Metric).key]?.median;
}

export interface Ratio {
  readonly value: number;
  /** `speed`: raw time / contender time (higher is better, 1 = as fast as raw).
   *  `cost`: contender value / raw value (lower is better, 1 = as small as raw). */
  readonly kind: 'speed' | 'cost';
}

/**
 * The contender against the case's baseline (raw unless the case names another), measured in the
 * same run, on the case's primary metric.
 */
export function ratioVsRaw(c: CaseResult, result: ContenderResult): Ratio | undefined {
  const metric = c.metrics[0] as Metric;
  const raw = medianOf(c, c.baseline ?? 'raw');
  const mine = medianOf(c, result.contender);
  if (raw === undefined || mine === undefined || raw <= 0 || mine <= 0) return undefined;
  return metric.unit === 'ms'
    ? { value: raw / mine, kind: 'speed' }
    : { value: mine / raw, kind: 'cost' };
}

export function formatRatio(
  ratio: Ratio | undefined,
  metric: Metric,
  baseline: ContenderName = 'raw',
): string {
  if (ratio === undefined) return '-';
  const what =
    ratio.kind === 'speed'
      ? 'speed'
      : metric.unit === 'B/actor'
        ? 'bytes'
        : metric.unit === 'timers/call'
          ? 'timers'
          : 'latency';
  return `${ratio.value.toFixed(2)}x ${what}${baseline === 'raw' ? '' : ` vs ${baseline}`}`;
}

/** Numbers with about three significant digits. */
export function formatValue(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Operations per second at the median time. */
export function formatRate(ops: number | undefined, medianMs: number | undefined): string {
  if (ops === undefined || medianMs === undefined || medianMs <= 0) return '-';
  const perSecond = ops / (medianMs / 1000);
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M/s`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k/s`;
  return `${perSecond.toFixed(0)}/s`;
}
