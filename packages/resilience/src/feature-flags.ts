import type { Clock } from '@warden/core';
import { ResilienceError } from './errors.js';
import { Emitter, type Observed } from './events.js';
import {
  checkBoolean,
  checkClock,
  checkFunction,
  checkName,
  checkOptionalString,
  invalidOption,
} from './internal/check.js';
import type { HealthState, LevelHealth } from './level-health.js';

export interface FeatureFlagsOptions extends Observed {
  readonly clock: Clock;
  /** Every flag and its initial value. Only declared flags exist: a typo is an error, not "off". */
  readonly flags: Readonly<Record<string, boolean>>;
}

type Listener = (enabled: boolean) => void;

/**
 * Runtime switches: turn a capability off and on without a restart. Every change is a
 * `flag.changed` event (with the reason given) and reaches the flag's subscribers synchronously,
 * in subscription order; a subscriber that throws cannot stop the others. `health(name)` shows a
 * flag as a `LevelHealth` (off = open), so a flag can switch a level of a degradation ladder.
 *
 * @example
 * const flags = new FeatureFlags({ clock, flags: { 'web-search': true } });
 * flags.disable('web-search', 'provider incident');
 * flags.isEnabled('web-search'); // false
 */
export class FeatureFlags {
  readonly #clock: Clock;
  readonly #emitter: Emitter;
  readonly #values = new Map<string, boolean>();
  readonly #listeners = new Map<string, Listener[]>();

  constructor(options: FeatureFlagsOptions) {
    this.#clock = checkClock('clock', options?.clock);
    if (typeof options.flags !== 'object' || options.flags === null) {
      throw invalidOption('flags', options.flags, 'a record of flag names to booleans');
    }
    for (const [name, on] of Object.entries(options.flags)) {
      if (typeof on !== 'boolean') throw invalidOption(`flags.${name}`, on, 'a boolean');
      this.#values.set(checkName('flags', name), on);
    }
    this.#emitter = new Emitter(options, this.#clock, 'feature-flags');
  }

  isEnabled(name: string): boolean {
    const on = this.#values.get(name);
    if (on === undefined) throw unknown(name);
    return on;
  }

  /** Sets a flag; returns whether it changed (no event, no callback when it did not). */
  set(name: string, enabled: boolean, reason?: string): boolean {
    checkBoolean('enabled', enabled);
    checkOptionalString('reason', reason);
    if (this.isEnabled(name) === enabled) return false;
    this.#values.set(name, enabled);
    this.#emitter.emit({ type: 'flag.changed', flag: name, enabled, reason });
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        listener(enabled);
      } catch (error) {
        setImmediate(() => {
          throw error;
        });
      }
    }
    return true;
  }

  enable(name: string, reason?: string): boolean {
    return this.set(name, true, reason);
  }

  disable(name: string, reason?: string): boolean {
    return this.set(name, false, reason);
  }

  /** Calls `listener(enabled)` on every change of the flag; returns the unsubscribe function. */
  subscribe(name: string, listener: Listener): () => void {
    this.isEnabled(name);
    checkFunction('listener', listener);
    this.#listeners.set(name, [...(this.#listeners.get(name) ?? []), listener]);
    return () => {
      this.#listeners.set(
        name,
        (this.#listeners.get(name) ?? []).filter((l) => l !== listener),
      );
    };
  }

  /** Runs `fn` if the flag is on; otherwise throws `ERR_FEATURE_DISABLED` (a `flag.denied` event). */
  guard<T>(name: string, fn: () => T): T {
    checkFunction('fn', fn);
    if (!this.isEnabled(name)) {
      this.#emitter.emit({ type: 'flag.denied', flag: name });
      throw new ResilienceError('ERR_FEATURE_DISABLED', `feature ${name} is switched off`);
    }
    return fn();
  }

  /** The flag as a level health: `closed` while on, `open` while off. */
  health(name: string): LevelHealth {
    this.isEnabled(name);
    const flags = this;
    return {
      get state(): HealthState {
        return flags.isEnabled(name) ? 'closed' : 'open';
      },
      onStateChange: (listener) => this.subscribe(name, () => listener()),
    };
  }

  snapshot(): Record<string, boolean> {
    return Object.fromEntries(this.#values);
  }
}

function unknown(name: string): ResilienceError {
  return new ResilienceError('ERR_UNKNOWN_FLAG', `no feature flag named ${JSON.stringify(name)}`);
}
