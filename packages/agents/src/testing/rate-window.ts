import type { FaultEffect } from './scripted-fault.js';

/**
 * A provider's rate limit as providers count it: `requests` per fixed window of `windowMs`, and
 * a 429 beyond it whose `Retry-After` says, in whole seconds rounded up as the header does, when
 * the window ends. Only admitted requests count.
 */
export class RateWindow {
  readonly requests: number;
  readonly windowMs: number;
  #start = Number.NEGATIVE_INFINITY;
  #count = 0;

  constructor(requests: number, windowMs: number) {
    this.requests = requests;
    this.windowMs = windowMs;
  }

  /** Admits a request arriving at `now`, or says how the provider turns it away. */
  admit(now: number): FaultEffect | undefined {
    const start = Math.floor(now / this.windowMs) * this.windowMs;
    if (start !== this.#start) {
      this.#start = start;
      this.#count = 0;
    }
    if (this.#count < this.requests) {
      this.#count++;
      return undefined;
    }
    return {
      type: 'error',
      kind: 'rate_limited',
      status: 429,
      retryAfterMs: Math.ceil((start + this.windowMs - now) / 1000) * 1000,
      providerCode: 'rate_limit_exceeded',
      message: `Rate limit reached: ${this.requests} requests per ${this.windowMs} ms`,
    };
  }
}
