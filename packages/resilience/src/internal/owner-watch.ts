import { isPid, type Node, type Pid } from '@warden/core';
import { type Owner, ownerKey } from '../lease.js';
import { DownWatcher } from './down-watcher.js';

/**
 * The mediator's monitors on its pid owners, while they hold or await anything. Without a node,
 * or for string owners, it does nothing: those owners release by hand.
 */
export class OwnerWatch {
  readonly #owners = new Map<string, Pid>();
  readonly #watcher: DownWatcher | undefined;

  constructor(node: Node | undefined, onExit: (pid: Pid) => void) {
    this.#watcher =
      node === undefined
        ? undefined
        : new DownWatcher(node, (pid) => {
            this.#owners.delete(pid.key);
            onExit(pid);
          });
  }

  own(owner: Owner): void {
    if (this.#watcher === undefined || !isPid(owner)) return;
    this.#owners.set(ownerKey(owner), owner);
    this.#watcher.watch(owner);
  }

  forget(key: string): void {
    const pid = this.#owners.get(key);
    if (pid === undefined) return;
    this.#owners.delete(key);
    this.#watcher?.unwatch(pid);
  }

  stop(): void {
    this.#watcher?.stop();
  }
}
