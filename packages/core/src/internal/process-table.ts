const CHUNK = 1024;

interface Chunk<P> {
  readonly slots: (P | undefined)[];
  live: number;
  /** One past the highest slot ever set: the slots beyond were never used. */
  end: number;
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
      chunk = { slots: new Array(CHUNK), live: 0, end: 0 };
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
    if (slot >= chunk.end) chunk.end = slot + 1;
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

  /**
   * The live processes in id order (spawn order), as a new array the caller may keep while the
   * table changes. Only the slots a chunk has used are read: a node of a few processes does not
   * walk the 1,024 slots of its chunk.
   */
  values(): P[] {
    const out: P[] = [];
    const indices =
      this.#chunks.size === 1
        ? this.#chunks.keys()
        : [...this.#chunks.keys()].sort((a, b) => a - b);
    for (const index of indices) {
      const chunk = this.#chunks.get(index);
      if (chunk === undefined) continue;
      const { slots, end } = chunk;
      for (let i = 0; i < end; i++) {
        const proc = slots[i];
        if (proc !== undefined) out.push(proc);
      }
    }
    return out;
  }

  #chunk(index: number): Chunk<P> | undefined {
    return index === this.#currentIndex ? this.#current : this.#chunks.get(index);
  }
}
