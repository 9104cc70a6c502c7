import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type { AgentStore } from '../agent-store.js';

/**
 * One behaviour every `AgentStore` must have. `run` opens its own stores through `open` (each a
 * fresh, empty store) and closes them, and fails by throwing (`node:assert`), so any test runner
 * can run it: `for (const c of agentStoreConformance()) it(c.name, () => c.run(open))`.
 */
export interface ConformanceCase {
  readonly name: string;
  run(open: () => Promise<AgentStore>): Promise<void>;
}

/** Opens a fresh store, runs `body` with it and closes it, whatever happened. */
export async function withStore(
  open: () => Promise<AgentStore>,
  body: (store: AgentStore) => Promise<void>,
): Promise<void> {
  const store = await open();
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

/** Asserts that `attempt` fails (throws or rejects) with an error `is` recognises. */
export async function failsWith(
  attempt: () => unknown,
  is: (error: unknown) => boolean,
  what: string,
): Promise<unknown> {
  let caught: { error: unknown } | undefined;
  try {
    await attempt();
  } catch (error) {
    caught = { error };
  }
  assert.ok(caught !== undefined, `${what}: expected a failure, the call succeeded`);
  assert.ok(is(caught.error), `${what}: wrong failure ${inspect(caught.error, { depth: 3 })}`);
  return caught.error;
}

/** A small deterministic generator (a linear congruential one), so a case replays exactly. */
export function sequence(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}
