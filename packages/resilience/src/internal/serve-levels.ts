import { ResilienceError } from '../errors.js';
import { describeError, type Emitter } from '../events.js';
import type { Level } from '../ladder-level.js';
import { isAvailable } from '../level-health.js';
import type { PolicyContext } from '../policy.js';

/** A level's answer inside the ladder (a class: told apart from a failure by `instanceof`). */
export class LevelAnswer<Res> {
  constructor(
    readonly level: string,
    readonly value: Res,
  ) {}
}

/**
 * Tries the serving levels from the best available down; the first answer wins. Built for the
 * path every call takes while the best level is healthy: no error, closure or extra promise is
 * made before a level fails (a level's synchronous throw is caught here as a rejection would be).
 */
export async function serveLevels<Req, Res>(
  levels: readonly Level<Req, Res>[],
  request: Req,
  signal: AbortSignal,
  emitter: Emitter,
): Promise<LevelAnswer<Res> | { error: unknown }> {
  let context: PolicyContext | undefined;
  let tried = false;
  let error: unknown;
  for (const level of levels) {
    if (!('serve' in level) || !isAvailable(level.health)) continue;
    tried = true;
    try {
      context ??= { signal };
      return new LevelAnswer(level.name, await level.serve(request, context));
    } catch (e) {
      error = e;
      if (signal.aborted) return { error };
      emitter.emit({ type: 'degrade.fell_through', from: level.name, error: describeError(e) });
    }
  }
  if (!tried) error = new ResilienceError('ERR_DEGRADED', 'every level is unavailable');
  return { error };
}
