import type { Invariant } from '../invariant.js';

/**
 * Every request a client saw accepted completed, is queued, or is in the dead-letter queue: a
 * request that simply failed (or never answered) is lost. The system says what it queued or
 * dead-lettered through `sim.requests.markQueued` / `markDeadLettered`, or `isKept` here.
 */
export function nothingLost(options: { isKept?: (id: string) => boolean } = {}): Invariant {
  return {
    name: 'nothing lost',
    atEnd: (sim) => {
      const lost = [];
      for (const r of sim.requests.all()) {
        if (r.status !== 'pending' && r.status !== 'failed') continue;
        if (options.isKept?.(r.id) !== true) lost.push(r);
      }
      if (lost.length === 0) return undefined;
      return `${lost.length} accepted request(s) neither completed, queued nor dead-lettered: ${lost
        .slice(0, 5)
        .map((r) => `${r.id} (${r.status}${r.detail === undefined ? '' : `: ${r.detail}`})`)
        .join(', ')}`;
    },
  };
}
