import type { Invariant } from '../invariant.js';

/**
 * At most one live instance per spawn-once key, at every instant: instances declare themselves
 * with `sim.instance(key, ctx.self)` and leave when they exit, and the run notes the moment two
 * are alive at once (between faults too, not only when the checker looks).
 */
export function singleInstance(): Invariant {
  return {
    name: 'at most one live instance per key',
    always: (sim) => {
      const v = sim.instanceViolations[0];
      return v === undefined ? undefined : `${v.live} live instances of "${v.key}" at ${v.at} ms`;
    },
  };
}
