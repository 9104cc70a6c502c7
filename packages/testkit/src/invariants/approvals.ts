import type { Invariant } from '../invariant.js';

const RAN = new Set(['executing', 'done', 'failed', 'unknown']);

/**
 * Irreversible tools never ran without approval. Two sources: every effect recorded as
 * irreversible had its key approved (`sim.effects.approve(key)`) before it happened, and every
 * irreversible call of an effect journal made with `sim.journal()` that started to run carries
 * the approval it consumed (the governance gate writes it there).
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
      for (const entry of sim.journalEntries.values()) {
        if (
          entry.effect === 'irreversible' &&
          RAN.has(entry.state) &&
          entry.approval === undefined
        ) {
          return `irreversible ${entry.tool} (thread ${entry.threadId}) reached ${entry.state} without an approval`;
        }
      }
      return undefined;
    },
  };
}
