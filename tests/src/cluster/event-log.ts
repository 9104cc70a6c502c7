/**
 * An append-only log a test can wait on: each `push` re-checks the waiters, so a wait ends on the
 * event that satisfies it, never on a poll. Every wait is bounded by a timer that fails it with
 * what was awaited and what arrived; the bound is a guard against a hang, not a measurement.
 */
export class EventLog<T> {
  readonly entries: T[] = [];
  readonly #waiters = new Set<() => void>();

  push(entry: T): void {
    this.entries.push(entry);
    for (const check of [...this.#waiters]) check();
  }

  /** Resolves once `done(entries)` holds (at once if it already does); rejects after `ms`. */
  until(done: (entries: readonly T[]) => boolean, what: string, ms = 20_000): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!done(this.entries)) return;
        settle();
        resolve();
      };
      const timer = setTimeout(() => {
        settle();
        const seen = JSON.stringify(this.entries.slice(-10));
        reject(new Error(`no ${what} within ${ms} ms; last entries: ${seen}`));
      }, ms);
      const settle = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }
}

/** The peers a node is connected to, as its node.up and node.down events tell them. */
export function connectedPeers(events: readonly { event: string; node: string }[]): Set<string> {
  const peers = new Set<string>();
  for (const e of events) {
    if (e.event === 'node.up') peers.add(e.node);
    else if (e.event === 'node.down') peers.delete(e.node);
  }
  return peers;
}
