import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import { text } from './attributes.js';

type Fields = Readonly<Record<string, unknown>>;

/** Bucket bounds of the checkpoint commit latency (ms): an in-memory commit to a slow disk. */
export const CHECKPOINT_BUCKETS: readonly number[] = Object.freeze([
  0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500,
]);

/** Agents whose attribute sets are kept (made once each). */
const REMEMBERED = 4096;

/**
 * `warden.agent.checkpoint.duration`: how long each checkpoint commit took, from the
 * `agent.checkpoint` event (`ms`, on the node's clock), by agent. A histogram, recorded through
 * the SDK at each commit: a commit happens once or twice a step, so its cost (an attribute set
 * hashed per record) stays small beside the commit itself.
 */
export class CheckpointLatency {
  readonly #histogram: Histogram;
  readonly #attributes = new Map<string, Attributes>();

  constructor(meter: Meter) {
    this.#histogram = meter.createHistogram('warden.agent.checkpoint.duration', {
      description: 'How long an agent checkpoint commit took, on the node clock',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [...CHECKPOINT_BUCKETS] },
    });
  }

  record(event: Fields): void {
    const ms = event.ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return;
    const agent = text(event.agent, '');
    let attributes = this.#attributes.get(agent);
    if (attributes === undefined) {
      attributes = { 'gen_ai.agent.name': agent };
      if (this.#attributes.size < REMEMBERED) this.#attributes.set(agent, attributes);
    }
    this.#histogram.record(ms, attributes);
  }
}
