import type { Invariant } from '../invariant.js';

/**
 * No supervisor restarted more than `intensity` times within any `period` (OTP's window: the
 * restarts at `t >= now - period` count). Each supervisor is held to the flags given with
 * `sim.supervisor(pid, flags)`, or to `defaults` for any other that restarts.
 */
export function restartIntensity(defaults?: {
  readonly intensity: number;
  readonly period: number;
}): Invariant {
  return {
    name: 'restart intensity respected',
    always: (sim) => {
      for (const [key, times] of sim.restarts) {
        const flags = sim.supervisorFlags.get(key) ?? defaults;
        if (flags === undefined) continue;
        let start = 0;
        for (let i = 0; i < times.length; i++) {
          const now = times[i] as number;
          while ((times[start] as number) < now - flags.period) start++;
          const count = i - start + 1;
          if (count > flags.intensity) {
            return `supervisor <${key}> restarted ${count} times within ${flags.period} ms (intensity ${flags.intensity}), the last at ${now} ms`;
          }
        }
      }
      return undefined;
    },
  };
}
