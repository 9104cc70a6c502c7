import type { Clock, TimerHandle } from '@warden/core';
import { CLOSE } from './close-codes.js';
import type { Connection } from './connection.js';

/**
 * One timer on the node's clock for all connections, armed only while there is one. Each tick
 * drops a connection silent for longer than `timeout` (a hung peer; a closed socket is seen at
 * once without it) and sends a heartbeat on every other. Heartbeats bypass back-pressure, so bulk
 * traffic never starves them; any inbound frame counts as a sign of life.
 */
export class Heartbeat {
  readonly #clock: Clock;
  readonly #interval: number;
  readonly #timeout: number;
  readonly #connections: () => Iterable<Connection>;
  #timer: TimerHandle | undefined;

  constructor(
    clock: Clock,
    interval: number,
    timeout: number,
    connections: () => Iterable<Connection>,
  ) {
    this.#clock = clock;
    this.#interval = interval;
    this.#timeout = timeout;
    this.#connections = connections;
  }

  start(): void {
    this.#timer ??= this.#clock.setTimer(this.#interval, this.#tick);
  }

  stop(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  readonly #tick = (): void => {
    this.#timer = undefined;
    const now = this.#clock.now();
    let live = 0;
    for (const conn of [...this.#connections()]) {
      if (now - conn.lastHeard > this.#timeout) {
        conn.drop(CLOSE.heartbeat, 'heartbeat timeout', 'terminate');
      } else {
        conn.heartbeat();
        live++;
      }
    }
    if (live > 0) this.start();
  };
}
