const CHUNK = 1024;

interface Chunk<P> {
  readonly slots: (P | undefined)[];
  live: number;
}

/**
 * The node's live processes by pid id. Ids only grow, so a hash map keyed by them is rebuilt
 * constantly under spawn churn (a set plus a delete cost ~10x a lookup). Here ids index fixed
 * chunks of slots: adding and removing a process is an array store, and a chunk is dropped once
 * all its processes have exited and ids have moved past it.
 */
export class ProcessTable<P extends object> {
  readonly #chunks = new Map<number, Chunk<P>>();
  #current: Chunk<P> | undefined = undefined;
  #currentIndex = -1;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  set(id: number, proc: P): void {
    const index = Math.floor(id / CHUNK);
    let chunk = this.#chunk(index);
    if (chunk === undefined) {
      chunk = { slots: new Array(CHUNK), live: 0 };
      this.#chunks.set(index, chunk);
    }
    if (index >= this.#currentIndex) {
      this.#current = chunk;
      this.#currentIndex = index;
    }
    const slot = id - index * CHUNK;
    if (chunk.slots[slot] === undefined) {
      chunk.live++;
      this.#size++;
    }
    chunk.slots[slot] = proc;
  }

  get(id: number): P | undefined {
    const index = Math.floor(id / CHUNK);
    return this.#chunk(index)?.slots[id - index * CHUNK];
  }

  delete(id: number): boolean {
    const index = Math.floor(id / CHUNK);
    const chunk = this.#chunk(index);
    const slot = id - index * CHUNK;
    if (chunk === undefined || chunk.slots[slot] === undefined) return false;
    chunk.slots[slot] = undefined;
    chunk.live--;
    this.#size--;
    if (chunk.live === 0 && index !== this.#currentIndex) this.#chunks.delete(index);
    return true;
  }

  /** Live processes in id order (spawn order). */
  *values(): IterableIterator<P> {
    const indices = [...this.#chunks.keys()].sort((a, b) => a - b);
    for (const index of indices) {
      const chunk = this.#chunks.get(index);
      if (chunk === undefined) continue;
      for (const proc of chunk.slots) if (proc !== undefined) yield proc;
    }
  }

  #chunk(index: number): Chunk<P> | undefined {
    return index === this.#currentIndex ? this.#current : this.#chunks.get(index);
  }
}
