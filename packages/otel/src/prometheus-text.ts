import type { Attributes } from '@opentelemetry/api';

/**
 * The part of the SDK's collected metrics (`MetricReader.collect()` of
 * `@opentelemetry/sdk-metrics`) this serializer reads, declared here so that the package keeps
 * the API as its only runtime dependency: any reader the application built answers it.
 */
export interface CollectedMetrics {
  readonly resourceMetrics: {
    readonly scopeMetrics: readonly {
      readonly metrics: readonly CollectedMetric[];
    }[];
  };
}

export interface CollectedMetric {
  readonly descriptor: { readonly name: string; readonly description: string };
  /** The SDK's `DataPointType`: 0 histogram, 1 exponential histogram, 2 gauge, 3 sum. */
  readonly dataPointType: number;
  readonly isMonotonic?: boolean;
  readonly dataPoints: readonly {
    readonly attributes: Attributes;
    readonly value: number | CollectedHistogram | object;
  }[];
}

export interface CollectedHistogram {
  readonly buckets: { readonly boundaries: readonly number[]; readonly counts: readonly number[] };
  readonly sum?: number;
  readonly count: number;
}

const HISTOGRAM = 0;
const GAUGE = 2;
const SUM = 3;

/**
 * Metrics in the Prometheus text exposition format (version 0.0.4): dots become underscores,
 * a monotonic sum is a `counter` named with `_total`, a gauge or an up-down sum a `gauge`, a
 * histogram `_bucket`/`_sum`/`_count` series with cumulative `le` buckets. Exponential
 * histograms have no form in this format and are left out (say so with a comment line).
 */
export function toPrometheusText(collected: CollectedMetrics): string {
  const lines: string[] = [];
  const described = new Set<string>();
  for (const scope of collected.resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const base = metricName(metric.descriptor.name);
      const counter = metric.dataPointType === SUM && metric.isMonotonic === true;
      const name = counter && !base.endsWith('_total') ? `${base}_total` : base;
      const type = metric.dataPointType === HISTOGRAM ? 'histogram' : counter ? 'counter' : 'gauge';
      if (
        metric.dataPointType !== HISTOGRAM &&
        metric.dataPointType !== GAUGE &&
        metric.dataPointType !== SUM
      ) {
        lines.push(`# ${name}: exponential histograms have no Prometheus text form`);
        continue;
      }
      if (!described.has(name)) {
        described.add(name);
        if (metric.descriptor.description !== '') {
          lines.push(`# HELP ${name} ${escapeHelp(metric.descriptor.description)}`);
        }
        lines.push(`# TYPE ${name} ${type}`);
      }
      for (const point of metric.dataPoints) {
        if (metric.dataPointType === HISTOGRAM) {
          histogramLines(lines, name, point.attributes, point.value as CollectedHistogram);
        } else {
          lines.push(`${name}${labels(point.attributes)} ${number(point.value as number)}`);
        }
      }
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function histogramLines(
  lines: string[],
  name: string,
  attributes: Attributes,
  histogram: CollectedHistogram,
): void {
  let cumulative = 0;
  const { boundaries, counts } = histogram.buckets;
  for (const [i, bound] of boundaries.entries()) {
    cumulative += counts[i] ?? 0;
    lines.push(`${name}_bucket${labels(attributes, ['le', number(bound)])} ${cumulative}`);
  }
  lines.push(`${name}_bucket${labels(attributes, ['le', '+Inf'])} ${histogram.count}`);
  lines.push(`${name}_sum${labels(attributes)} ${number(histogram.sum ?? 0)}`);
  lines.push(`${name}_count${labels(attributes)} ${histogram.count}`);
}

function labels(attributes: Attributes, extra?: readonly [string, string]): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : String(value);
    parts.push(`${labelName(key)}="${escapeLabel(text)}"`);
  }
  if (extra !== undefined) parts.push(`${extra[0]}="${extra[1]}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function metricName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

function labelName(name: string): string {
  const clean = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(clean) ? `_${clean}` : clean;
}

function escapeLabel(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function number(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}
