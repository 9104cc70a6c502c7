import {
  type Address,
  deleteChild,
  isPid,
  type Node,
  type Pid,
  type StartChildResult,
  startChild,
  startDynamicChild,
  terminateChild,
  whichChildren,
} from '@warden/core';
import { ResilienceError } from '../errors.js';
import type { SpawnStart } from '../spawn-start.js';
import { sleep } from './abort.js';

/**
 * The spawn-once guard's conversation with its supervisor, through core's supervisor API: start
 * a child under a logical key, stop it, and find out whether a static child that went down was
 * restarted.
 */
export class KeyedChildren {
  readonly #node: Node;
  readonly #sup: Address;

  constructor(node: Node, supervisor: Address) {
    this.#node = node;
    this.#sup = supervisor;
  }

  /** Starts the child; the key is the id of a static child. Adopts one already started. */
  async start(key: string, start: SpawnStart): Promise<Pid> {
    const call = () =>
      'extra' in start
        ? startDynamicChild(this.#node, this.#sup, start.extra)
        : startChild(this.#node, this.#sup, { ...start, id: key });
    let result: StartChildResult = await call();
    if (!result.ok && result.error === 'already_present') {
      // A static child spec left behind by an earlier run (not running): replace it.
      await deleteChild(this.#node, this.#sup, key);
      result = await call();
    }
    if (result.ok && result.pid !== undefined) return result.pid;
    if (!result.ok && result.error === 'already_started') return result.pid; // started elsewhere
    const why = result.ok ? 'ignored' : result.error;
    throw new ResilienceError('ERR_SPAWN_FAILED', `could not start ${key}: ${why}`, {
      cause: result,
    });
  }

  /** Terminates the child (and, for a static one, deletes its spec). */
  async stop(key: string, pid: Pid, dynamic: boolean): Promise<void> {
    await terminateChild(this.#node, this.#sup, dynamic ? pid : key);
    if (!dynamic) await deleteChild(this.#node, this.#sup, key);
  }

  /**
   * A static child went down: resolves with its new pid if its supervisor restarted it, or
   * undefined once it is gone for good (its leftover spec deleted). While the supervisor reports
   * it `restarting`, looks again every `recheckMs`, at most `maxChecks` times.
   */
  async restarted(key: string, recheckMs: number, maxChecks: number): Promise<Pid | undefined> {
    for (let i = 0; i < maxChecks; i++) {
      const rows = await whichChildren(this.#node, this.#sup).catch(() => []);
      const row = rows.find((r) => r.id === key);
      if (isPid(row?.pid) && this.#node.isAlive(row.pid)) return row.pid;
      if (row?.pid !== 'restarting') {
        if (row !== undefined) await deleteChild(this.#node, this.#sup, key).catch(() => {});
        return undefined;
      }
      await sleep(this.#node.clock, recheckMs);
    }
    return undefined;
  }
}
