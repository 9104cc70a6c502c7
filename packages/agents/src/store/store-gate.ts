import { StoreError } from './store-error.js';

/** The open or closed state a store's parts share: once closed, every call is refused. */
export class StoreGate {
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
  }

  /** Throws `ERR_STORE_CLOSED` once the store is closed. */
  check(): void {
    if (this.#closed) throw new StoreError('ERR_STORE_CLOSED', 'the store is closed');
  }
}
