import type { Clock } from '@warden/core';
import type { FaultRule } from './scripted-fault.js';
import type { Script } from './scripted-turn.js';

export interface ScriptedModelOptions {
  /** The node's clock: latency, hangs, windows and deadlines all run on it. */
  readonly clock: Clock;
  /** Default `scripted`. */
  readonly provider?: string;
  /** Default `scripted-1`. */
  readonly model?: string;
  readonly script: Script;
  /** The fault schedule; every matching rule applies (latencies add up, the first failure wins). */
  readonly faults?: readonly FaultRule[];
  /** The provider's rate limit: `requests` per fixed window, 429 with `Retry-After` beyond it. */
  readonly rateLimit?: { readonly requests: number; readonly windowMs: number };
  /** Input tokens (`estimateInputTokens`) past which a request fails with `context_length`. */
  readonly contextWindow?: number;
  /** Latency of every call before any fault adds to it. Default 0. */
  readonly latencyMs?: number;
  /** The call's deadline, as a real client has one: past it, `timeout`. Default 60 000 ms. */
  readonly timeoutMs?: number;
  /** Seeds the draws of fault probabilities. Default 1. */
  readonly seed?: number;
}

export const SCRIPTED_MODEL_DEFAULTS = Object.freeze({
  provider: 'scripted',
  model: 'scripted-1',
  latencyMs: 0,
  timeoutMs: 60_000,
  seed: 1,
});
