import { type Clock, sleep } from '@warden/core';
import { WsTransportError } from '../errors.js';

const closedError = (): WsTransportError =>
  new WsTransportError('ERR_CLOSED', 'the transport is closed');

/**
 * The two kinds of waiting the transport does, both cancelled when it closes:
 * - `sleep(ms)` on the node's clock (between `connect` attempts), so a TestClock drives it;
 * - `connected(node)`, bounded in real time: it waits on a handshake in flight (socket I/O).
 */
export class Waiters {
  readonly #clock: Clock;
  /** Aborted on close: every sleep ends with it. */
  readonly #closed = new AbortController();
  readonly #ups = new Set<{ node: string; done: () => void }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  sleep(ms: number): Promise<void> {
    return sleep(this.#clock, ms, this.#closed.signal, closedError);
  }

  /** Resolves when `up(node)` is called, or after `ms` of real time. */
  connected(node: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter = { node, done: () => {} };
      const timer = setTimeout(() => waiter.done(), ms);
      waiter.done = () => {
        clearTimeout(timer);
        this.#ups.delete(waiter);
        resolve();
      };
      this.#ups.add(waiter);
    });
  }

  up(node: string): void {
    for (const waiter of [...this.#ups]) if (waiter.node === node) waiter.done();
  }

  /** Rejects every sleep with `ERR_CLOSED` and releases every `connected` wait. */
  close(): void {
    this.#closed.abort();
    for (const waiter of [...this.#ups]) waiter.done();
  }
}
