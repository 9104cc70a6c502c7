/** The last `capacity` items pushed, oldest first: what a trace or a list of recent events keeps. */
export class Ring<T> {
  readonly #items: T[] = [];
  #next = 0;

  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.capacity === 0) return;
    if (this.#items.length < this.capacity) this.#items.push(item);
    else {
      this.#items[this.#next] = item;
      this.#next = (this.#next + 1) % this.capacity;
    }
  }

  get size(): number {
    return this.#items.length;
  }

  toArray(): T[] {
    if (this.#items.length < this.capacity) return this.#items.slice();
    return [...this.#items.slice(this.#next), ...this.#items.slice(0, this.#next)];
  }
}
