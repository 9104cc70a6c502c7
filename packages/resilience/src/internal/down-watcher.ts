import { DownMessage, type ExitReason, type Node, type Pid, type Ref } from '@warden/core';

interface Watch {
  readonly $downWatcher: 'watch' | 'unwatch';
  readonly pid: Pid;
}

function isWatch(message: unknown): message is Watch {
  return typeof message === 'object' && message !== null && '$downWatcher' in message;
}

/**
 * A small helper process that monitors pids on behalf of a plain object (the resource mediator,
 * the spawn-once guard) and calls `onDown` when one is gone. Monitors, not links: the watched
 * processes are not affected by the helper in any way. If the helper itself is killed, the next
 * `watch` starts a new one and re-monitors every pid still watched (a pid that died meanwhile
 * answers at once with `noproc`).
 */
export class DownWatcher {
  readonly #node: Node;
  readonly #onDown: (pid: Pid, reason: ExitReason) => void;
  readonly #watched = new Map<string, Pid>();
  #helper: Pid | undefined;
  #stopped = false;

  constructor(node: Node, onDown: (pid: Pid, reason: ExitReason) => void) {
    this.#node = node;
    this.#onDown = onDown;
  }

  /** The helper's pid (for tests and inspection). */
  get pid(): Pid | undefined {
    return this.#helper;
  }

  isWatching(pid: Pid): boolean {
    return this.#watched.has(pid.key);
  }

  watch(pid: Pid): void {
    if (this.#stopped || this.#watched.has(pid.key)) return;
    this.#watched.set(pid.key, pid);
    this.#send({ $downWatcher: 'watch', pid });
  }

  unwatch(pid: Pid): void {
    if (!this.#watched.delete(pid.key)) return;
    if (this.#helper !== undefined) this.#node.send(this.#helper, { $downWatcher: 'unwatch', pid });
  }

  stop(): void {
    this.#stopped = true;
    this.#watched.clear();
    if (this.#helper !== undefined && this.#node.isAlive(this.#helper)) {
      this.#node.exit(this.#helper, 'kill');
    }
  }

  #send(message: Watch): void {
    if (this.#node.stopped) return;
    if (this.#helper === undefined || !this.#node.isAlive(this.#helper)) {
      this.#helper = this.#spawn();
      // A fresh helper knows nothing: give it every pid still watched (including this one).
      for (const pid of this.#watched.values())
        this.#node.send(this.#helper, { $downWatcher: 'watch', pid });
      return;
    }
    this.#node.send(this.#helper, message);
  }

  /** The callback's failure must not kill the helper (every other watch would be lost). */
  #report(pid: Pid, reason: ExitReason): void {
    try {
      this.#onDown(pid, reason);
    } catch (error) {
      setImmediate(() => {
        throw error;
      });
    }
  }

  #spawn(): Pid {
    return this.#node.spawn(
      async (ctx) => {
        const refs = new Map<string, Ref>();
        for (;;) {
          const message = await ctx.receive();
          if (message instanceof DownMessage) {
            if (refs.get(message.pid.key) !== message.ref) continue;
            refs.delete(message.pid.key);
            if (this.#watched.delete(message.pid.key)) this.#report(message.pid, message.reason);
          } else if (isWatch(message)) {
            const key = message.pid.key;
            if (message.$downWatcher === 'watch' && !refs.has(key)) {
              refs.set(key, ctx.monitor(message.pid));
            } else if (message.$downWatcher === 'unwatch') {
              const ref = refs.get(key);
              if (ref !== undefined) ctx.demonitor(ref, { flush: true });
              refs.delete(key);
            }
          }
        }
      },
      { mailbox: { capacity: Number.POSITIVE_INFINITY } },
    );
  }
}
