import type { Connection } from './connection.js';

/**
 * Runs `endOfTick()` (flush the batch, send the ack) once per connection at the end of the
 * current tick: everything sent during one turn of the event loop, including the work of every
 * actor the scheduler ran in it, leaves in one frame (except that the first call or reply of a
 * tick leaves at once, with what was pending before it: see `Connection.send`).
 */
export class EndOfTick {
  readonly #dirty = new Set<Connection>();
  #immediate: NodeJS.Immediate | undefined;

  get pending(): boolean {
    return this.#immediate !== undefined;
  }

  schedule(conn: Connection): void {
    this.#dirty.add(conn);
    this.#immediate ??= setImmediate(this.#run);
  }

  forget(conn: Connection): void {
    this.#dirty.delete(conn);
  }

  cancel(): void {
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#immediate = undefined;
    this.#dirty.clear();
  }

  readonly #run = (): void => {
    this.#immediate = undefined;
    const dirty = [...this.#dirty];
    this.#dirty.clear();
    for (const conn of dirty) conn.endOfTick();
  };
}
