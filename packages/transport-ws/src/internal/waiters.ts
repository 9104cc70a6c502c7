import type { Clock, TimerHandle } from '@warden/core';
import { WsTransportError } from '../errors.js';

/**
 * The two kinds of waiting the transport does, both cancelled when it closes:
 * - `sleep(ms)` on the node's clock (between `connect` attempts), so a TestClock drives it;
 * - `connected(node)`, bounded in real time: it waits on a handshake in flight (socket I/O).
 */
export class Waiters {
  readonly #clock: Clock;
  readonly #sleeps = new Set<{ timer: TimerHandle; reject: (e: unknown) => void }>();
  readonly #ups = new Set<{ node: string; done: () => void }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleep = {
        timer: this.#clock.setTimer(ms, () => {
          this.#sleeps.delete(sleep);
          resolve();
        }),
        reject,
      };
      this.#sleeps.add(sleep);
    });
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
    for (const sleep of this.#sleeps) {
      this.#clock.clearTimer(sleep.timer);
      sleep.reject(new WsTransportError('ERR_CLOSED', 'the transport is closed'));
    }
    this.#sleeps.clear();
    for (const waiter of [...this.#ups]) waiter.done();
  }
}
