import type { SeriesView } from '../dashboard-snapshot.js';

/**
 * Counts per fixed bucket of node-clock time, the last `capacity` buckets kept in a ring: a chart
 * of restarts or tokens over time whose memory never grows. A count for a bucket older than the
 * ring is dropped; one for a later bucket moves the ring on, zeroing the buckets skipped.
 */
export class TimeSeries {
  readonly #values: Float64Array;
  /** The bucket number (time / bucketMs) of the newest bucket. */
  #head: number | undefined;

  constructor(
    readonly bucketMs: number,
    readonly capacity: number,
  ) {
    this.#values = new Float64Array(capacity);
  }

  add(time: number, n: number): void {
    const bucket = Math.floor(time / this.bucketMs);
    this.#advance(bucket);
    const head = this.#head as number;
    if (bucket <= head - this.capacity) return;
    const slot = this.#slot(bucket);
    this.#values[slot] = (this.#values[slot] as number) + n;
  }

  /** The buckets up to the one `now` falls in, oldest first. */
  view(now: number): SeriesView {
    this.#advance(Math.floor(now / this.bucketMs));
    const head = this.#head as number;
    const first = head - this.capacity + 1;
    const values: number[] = [];
    for (let b = first; b <= head; b++) values.push(this.#values[this.#slot(b)] as number);
    return { bucketMs: this.bucketMs, start: first * this.bucketMs, values };
  }

  #advance(bucket: number): void {
    if (this.#head === undefined) {
      this.#head = bucket;
      return;
    }
    if (bucket <= this.#head) return;
    const skipped = Math.min(bucket - this.#head, this.capacity);
    for (let i = 1; i <= skipped; i++) this.#values[this.#slot(this.#head + i)] = 0;
    this.#head = bucket;
  }

  #slot(bucket: number): number {
    return ((bucket % this.capacity) + this.capacity) % this.capacity;
  }
}
