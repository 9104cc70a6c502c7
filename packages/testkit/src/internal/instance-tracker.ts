import type { Pid } from '@warden/core';

/** Two live instances of one spawn-once key at one instant. */
export interface InstanceViolation {
  readonly key: string;
  readonly at: number;
  readonly live: number;
}

/**
 * The live instances of each spawn-once key, kept as they start and exit, so that two alive at
 * once are noted at that instant even if one is gone before a checker looks.
 */
export class InstanceTracker {
  readonly violations: InstanceViolation[] = [];
  readonly #live = new Map<string, Set<string>>();
  readonly #keyOf = new Map<string, string>();

  /** Returns the violation it caused, if the key now has two live instances or more. */
  declare(key: string, pid: Pid, at: number): InstanceViolation | undefined {
    let live = this.#live.get(key);
    if (live === undefined) {
      live = new Set();
      this.#live.set(key, live);
    }
    live.add(pid.key);
    this.#keyOf.set(pid.key, key);
    if (live.size < 2) return undefined;
    const violation = { key, at, live: live.size };
    this.violations.push(violation);
    return violation;
  }

  exited(pid: Pid): void {
    // Most systems declare no instance: their exits cost one check, not a key built per pid.
    if (this.#keyOf.size === 0) return;
    const key = this.#keyOf.get(pid.key);
    if (key === undefined) return;
    this.#live.get(key)?.delete(pid.key);
    this.#keyOf.delete(pid.key);
  }
}
