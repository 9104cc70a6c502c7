import type fc from 'fast-check';

/**
 * As `tests/src/properties/replay-params.ts` (outside this package's test project): adds `seed`
 * and `path` from `FC_SEED` / `FC_PATH` when they are set, so a printed failure replays exactly.
 */
export function replayParams<T>(params: fc.Parameters<T>): fc.Parameters<T> {
  const { FC_SEED, FC_PATH } = process.env;
  return {
    ...params,
    ...(FC_SEED !== undefined ? { seed: Number(FC_SEED) } : {}),
    ...(FC_PATH !== undefined ? { path: FC_PATH } : {}),
  };
}
