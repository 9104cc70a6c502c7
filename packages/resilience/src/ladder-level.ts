import { checkName, invalidOption } from './internal/check.js';
import type { LevelHealth } from './level-health.js';
import type { PolicyContext } from './policy.js';

/** One rung: serves requests while its health allows (no health: always). */
export type Level<Req, Res> =
  | {
      readonly name: string;
      readonly health?: LevelHealth;
      readonly serve: (request: Req, context: PolicyContext) => PromiseLike<Res> | Res;
    }
  /** The last rung: accepts requests and replays them, in order, when a higher level recovers. */
  | { readonly name: string; readonly queue: true };

/** A rung that serves (not the queue). */
export type ServeLevel<Req, Res> = Extract<Level<Req, Res>, { serve: unknown }>;

/** Checks the rungs of a ladder, naming the first bad field (`levels[2].serve`, ...). */
export function validateLevels<Req, Res>(
  levels: readonly Level<Req, Res>[],
): readonly Level<Req, Res>[] {
  if (!Array.isArray(levels) || levels.length === 0)
    throw invalidOption('levels', levels, 'a non-empty array');
  const names = new Set<string>();
  levels.forEach((level, i) => {
    const name = checkName(`levels[${i}].name`, level?.name);
    if (names.has(name)) throw invalidOption(`levels[${i}].name`, name, 'a unique name');
    names.add(name);
    if ('queue' in level) {
      if (level.queue !== true || i !== levels.length - 1) {
        throw invalidOption(`levels[${i}].queue`, level.queue, 'true, on the last level only');
      }
    } else {
      const { serve, health } = level as ServeLevel<Req, Res>;
      if (typeof serve !== 'function')
        throw invalidOption(`levels[${i}].serve`, serve, 'a function');
      if (
        health !== undefined &&
        (typeof health !== 'object' ||
          health === null ||
          typeof health.onStateChange !== 'function' ||
          !('state' in health))
      ) {
        throw invalidOption(`levels[${i}].health`, health, 'a LevelHealth (state, onStateChange)');
      }
    }
  });
  return [...levels];
}
