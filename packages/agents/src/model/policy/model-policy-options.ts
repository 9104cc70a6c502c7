import type { Clock, Node } from '@warden/core';
import type { BreakerPolicyOptions } from '@warden/machines';
import type { MODEL_POLICY_DEFAULTS } from './failure-handling.js';
import type { ModelPolicyObserver } from './model-policy-event.js';
import type { Overrides } from './model-retries.js';
import type { ProviderLimits } from './provider-limiter.js';

export interface ModelPolicyOptions {
  /** The node's clock; every wait, window and breaker timeout runs on it. */
  readonly clock: Clock;
  /** Publishes every decision on the node's event stream (`node.publish`). */
  readonly node?: Pick<Node, 'publish'>;
  /**
   * Stops the policy with its node (`node.signal`): calls in flight end, no timer is left, and
   * later calls fail. `modelPolicyOf(node)` passes it.
   */
  readonly signal?: AbortSignal;
  /** Receives every decision too. */
  readonly observer?: ModelPolicyObserver;
  /** Limits by provider name; `'*'` applies to providers not named. */
  readonly limits?: Readonly<Record<string, ProviderLimits>>;
  readonly retry?: Overrides<typeof MODEL_POLICY_DEFAULTS.retry>;
  readonly rateLimited?: Overrides<typeof MODEL_POLICY_DEFAULTS.rateLimited>;
  readonly budget?: Overrides<typeof MODEL_POLICY_DEFAULTS.budget>;
  /** Replaces the breaker settings (`@warden/machines` options) for every provider. */
  readonly breaker?: BreakerPolicyOptions;
  /** Chance in [0, 1) for every jitter; tests pass a seeded one. Default Math.random. */
  readonly random?: () => number;
}
