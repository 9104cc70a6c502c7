import type { AgentStore } from '@warden/agents';
import type { TestClock } from '@warden/core/testing';

const PARTS = ['checkpoints', 'journal', 'approvals', 'audit', 'memory', 'leases'] as const;

/**
 * Makes `TestClock.settle` wait for a store's I/O: while a call to one of its parts is pending,
 * the clock counts the store as busy, so virtual time does not move on while a commit is on its
 * way to PostgreSQL and back. The parts are changed in place (each method wrapped on the part
 * itself), so an agent defined with the store before this call is covered too.
 */
export function settleWithStore(clock: TestClock, store: AgentStore): void {
  let pending = 0;
  clock.track({ isIdle: () => pending === 0 });
  for (const name of PARTS) {
    const part = store[name] as unknown as Record<string, unknown>;
    const proto = Object.getPrototypeOf(part) as object;
    for (const method of Object.getOwnPropertyNames(proto)) {
      const original = part[method];
      if (method === 'constructor' || typeof original !== 'function') continue;
      part[method] = (...args: unknown[]) => {
        pending++;
        return (original.apply(part, args) as Promise<unknown>).finally(() => {
          pending--;
        });
      };
    }
  }
}
