import type fc from 'fast-check';

/**
 * Adds `seed` and `path` from `FC_SEED` / `FC_PATH` to fast-check parameters when they are set,
 * so that a failure printed by fast-check replays exactly: `FC_SEED=<seed> FC_PATH=<path>`.
 */
export function replayParams<T>(params: fc.Parameters<T>): fc.Parameters<T> {
  const { FC_SEED, FC_PATH } = process.env;
  return {
    ...params,
    ...(FC_SEED !== undefined ? { seed: Number(FC_SEED) } : {}),
    ...(FC_PATH !== undefined ? { path: FC_PATH } : {}),
  };
}
