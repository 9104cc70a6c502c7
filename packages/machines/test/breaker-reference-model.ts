import type { BreakerPolicyOptions, OpenTimeout } from '../src/index.js';

/**
 * A reference model of the circuit breaker, written from the specification
 * (docs/patterns/circuit-breaker.md) and kept deliberately naive: it stores every outcome and
 * recounts the window on each question. The property test checks the real breaker against it.
 */
export class BreakerModel {
  state: 'closed' | 'open' | 'half_open' = 'closed';
  now = 0;
  consecutiveFailures = 0;
  outcomes: { at: number; failed: boolean }[] = [];
  trials = 0;
  trialSuccesses = 0;
  level = 0;
  retryAt = 0;
  closedAt: number | null = null;

  constructor(private readonly o: Required<BreakerPolicyOptions>) {}

  /** Moves time; an open breaker whose timeout ran out is half-open. */
  advanceTo(t: number): void {
    this.now = t;
    if (this.state === 'open' && this.now >= this.retryAt) this.#halfOpen();
  }

  /** Whether a call now gets through (and takes a trial slot in half-open). */
  admit(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') return false;
    const n = this.o.halfOpen.trialCalls ?? 1;
    if (this.trials >= n) return false;
    this.trials++;
    return true;
  }

  record(failed: boolean): void {
    if (this.state === 'half_open') {
      if (failed) {
        this.#open(true);
        return;
      }
      this.trialSuccesses++;
      const needed = this.o.halfOpen.successesToClose ?? this.o.halfOpen.trialCalls ?? 1;
      if (this.trialSuccesses >= needed) {
        this.state = 'closed';
        this.closedAt = this.now;
        this.#clear();
      }
      return;
    }
    this.consecutiveFailures = failed ? this.consecutiveFailures + 1 : 0;
    this.outcomes.push({ at: this.now, failed });
    const f = this.o.failure as Record<string, number | string>;
    if (f.kind === 'consecutive') {
      if (this.consecutiveFailures >= (f.threshold as number)) this.#open(false);
      return;
    }
    const { calls, failures } = this.window();
    if (calls >= (f.minimumCalls as number) && failures / calls >= (f.rate as number))
      this.#open(false);
  }

  /** Calls and failures the sliding window holds now. */
  window(): { calls: number; failures: number } {
    const f = this.o.failure as Record<string, number | string>;
    let kept: { at: number; failed: boolean }[] = [];
    if (f.kind === 'count-window') kept = this.outcomes.slice(-(f.size as number));
    if (f.kind === 'time-window') {
      const slice = (f.windowMs as number) / (f.buckets as number);
      const current = Math.floor(this.now / slice);
      kept = this.outcomes.filter(
        (o) => Math.floor(o.at / slice) > current - (f.buckets as number),
      );
    }
    return { calls: kept.length, failures: kept.filter((o) => o.failed).length };
  }

  #open(fromHalfOpen: boolean): void {
    const t = this.o.openTimeout as OpenTimeout;
    const flapping =
      fromHalfOpen || (this.closedAt !== null && this.now - this.closedAt < t.resetAfterMs);
    this.level = flapping ? Math.min(this.level + 1, 64) : 0;
    const timeout = Math.min(t.maxMs, t.initialMs * t.multiplier ** this.level);
    this.retryAt = this.now + Math.floor(timeout);
    this.state = 'open';
    this.#clear();
  }

  #halfOpen(): void {
    this.state = 'half_open';
    this.trials = 0;
    this.trialSuccesses = 0;
  }

  #clear(): void {
    this.consecutiveFailures = 0;
    this.outcomes = [];
    this.trials = 0;
    this.trialSuccesses = 0;
  }
}
