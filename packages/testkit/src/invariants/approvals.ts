import type { Invariant } from '../invariant.js';

/**
 * Irreversible tools never ran without approval: every effect recorded as irreversible had its
 * key approved (`sim.effects.approve(key)`, by the human in the loop or the policy) before it
 * happened.
 */
export function approvedIrreversible(): Invariant {
  return {
    name: 'irreversible effects approved',
    always: (sim) => {
      for (const e of sim.effects.effects) {
        if (e.irreversible && !e.approved) {
          return `irreversible ${e.tool} ${e.key} ran at ${e.at} ms without approval`;
        }
      }
      return undefined;
    },
  };
}
