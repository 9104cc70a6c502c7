import type { Invariant } from '../invariant.js';

/**
 * No side effect happened twice: two effects with the same key (an idempotency key, or the
 * business key of what was done, `refund:42`) mean a retry, a resume or a duplicate delivery
 * reached the outside world again. Checked as effects arrive, so the first duplicate is named.
 */
export function noDuplicateEffects(options: { tools?: readonly string[] } = {}): Invariant {
  return {
    name: 'no duplicate side effect',
    always: (sim) => {
      const seen = new Map<string, number>();
      for (const e of sim.effects.effects) {
        if (options.tools !== undefined && !options.tools.includes(e.tool)) continue;
        const id = `${e.tool}\u0000${e.key}`;
        const previous = seen.get(id);
        if (previous !== undefined) {
          return `effect ${e.tool} ${e.key} happened twice (at ${previous} ms and at ${e.at} ms)`;
        }
        seen.set(id, e.at);
      }
      return undefined;
    },
  };
}
