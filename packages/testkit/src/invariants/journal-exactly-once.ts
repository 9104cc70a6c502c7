import type { Invariant } from '../invariant.js';

const RAN = new Set(['executing', 'done', 'failed', 'unknown']);

/**
 * Each write or irreversible call ran once per thread, as the effect journal (`sim.journal()`)
 * saw it: two entries of one thread, one tool and the same arguments that both started to run
 * are the same effect made twice under two idempotency keys (a resumed task that re-planned and
 * got a new step, for one). Opt in where a thread never legitimately repeats such a call.
 */
export function journalExactlyOnce(): Invariant {
  return {
    name: 'each journaled effect ran once',
    always: (sim) => {
      const seen = new Map<string, string>();
      for (const entry of sim.journalEntries.values()) {
        if (entry.effect === 'read' || !RAN.has(entry.state)) continue;
        const call = `${entry.threadId}\u0000${entry.tool}\u0000${entry.argsHash}`;
        const other = seen.get(call);
        if (other !== undefined) {
          return `${entry.tool} ran twice in thread ${entry.threadId} with the same arguments, under keys ${other.slice(0, 12)}... and ${entry.key.slice(0, 12)}...`;
        }
        seen.set(call, entry.key);
      }
      return undefined;
    },
  };
}
