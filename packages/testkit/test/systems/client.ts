import { type Address, type Node, sleep } from '@warden/core';
import type { Simulation } from '../../src/index.js';

export interface Patience {
  readonly attempts: number;
  readonly pauseMs: number;
  readonly timeoutMs: number;
  /** Whether an answer is a success (default: any answer); anything else is retried. */
  readonly ok?: (answer: unknown) => boolean;
}

/**
 * A patient at-least-once client: calls `to` with `request(attempt)` until an answer comes,
 * pausing between attempts; after `attempts` failures the request fails (and is lost unless
 * the system kept it).
 */
export function patientCall(
  sim: Simulation,
  node: Node,
  id: string,
  to: Address,
  request: (attempt: number) => unknown,
  patience: Patience,
): Promise<void> {
  return sim.client(id, async () => {
    let last: unknown;
    for (let attempt = 1; attempt <= patience.attempts; attempt++) {
      try {
        const answer = await node.call(to, request(attempt), { timeout: patience.timeoutMs });
        if (patience.ok === undefined || patience.ok(answer)) return answer;
        last = new Error(`refused: ${JSON.stringify(answer)}`);
        await sleep(node.clock, patience.pauseMs);
      } catch (error) {
        last = error;
        await sleep(node.clock, patience.pauseMs);
      }
    }
    throw last;
  });
}

/** Starts `count` requests `everyMs` apart, from `startMs`, each on the node's clock. */
export function schedule(
  node: Node,
  count: number,
  startMs: number,
  everyMs: number,
  fire: (i: number) => void,
): void {
  for (let i = 0; i < count; i++) node.clock.setTimer(startMs + i * everyMs, () => fire(i));
}
