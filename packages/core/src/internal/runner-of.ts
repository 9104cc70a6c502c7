import { isActorBehaviour } from '../behaviour.js';
import { ActorRunner } from './actor-runner.js';
import { FunctionRunner } from './function-runner.js';
import type { Runner } from './process.js';

/** How many behaviours a node keeps the runner of before it forgets them all. */
const KEPT = 32;

/**
 * The runners of the behaviours a node spawned, so a restart or a spawn churn finds the one it
 * made before. A runner is stateless and small: a behaviour forgotten just gets another.
 *
 * Per node and strong, not a process-wide `WeakMap`: a scavenge of the young generation keeps a
 * weak map's values alive, and a runner reaches its behaviour's callbacks and all they close
 * over, so a behaviour made per test or per simulated run had its graph copied and promoted, to
 * be freed only by a full collection. Bounded, so a node that spawns a new function per request
 * holds at most `KEPT` of them.
 */
export class Runners {
  readonly #runners = new Map<unknown, Runner>();

  of(behaviour: unknown): Runner | undefined {
    let runner = this.#runners.get(behaviour);
    if (runner === undefined) {
      runner = runnerOf(behaviour);
      if (runner === undefined) return undefined;
      if (this.#runners.size >= KEPT) this.#runners.clear();
      this.#runners.set(behaviour, runner);
    }
    return runner;
  }
}

/** A new runner for the behaviour (undefined: it is not one). */
export function runnerOf(behaviour: unknown): Runner | undefined {
  if (isActorBehaviour(behaviour)) return new ActorRunner(behaviour.spec as never);
  if (typeof behaviour === 'function') return new FunctionRunner(behaviour as never);
  return undefined;
}
