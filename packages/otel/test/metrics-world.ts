import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

/** A reader that collects only when asked: what a Prometheus scrape needs. */
export class PullReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export function metricsWorld(): { reader: PullReader; provider: MeterProvider } {
  const reader = new PullReader();
  const provider = new MeterProvider({ readers: [reader] });
  return { reader, provider };
}

/** The value of one data point of `name` whose attributes include `match`. */
export async function pointOf(
  reader: MetricReader,
  name: string,
  match: Readonly<Record<string, unknown>> = {},
): Promise<unknown> {
  const { resourceMetrics } = await reader.collect();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue;
      for (const point of metric.dataPoints) {
        if (Object.entries(match).every(([k, v]) => point.attributes[k] === v)) return point.value;
      }
    }
  }
  return undefined;
}
