import type { Clock } from '@warden/core';
import { backoffDelay } from '../backoff.js';
import type { ReconnectOptions } from '../options.js';
import type { PeerRecord } from './peer-table.js';

/** What the redialer needs from the transport. */
export interface RedialHost {
  readonly clock: Clock;
  readonly self: string;
  /** True while this node listens (a peer can dial it). */
  listening(): boolean;
  closed(): boolean;
  /** Dials the peer's address; rejects if no connection resulted. */
  dial(rec: PeerRecord): Promise<unknown>;
  redialed(): void;
}

/**
 * Who redials whom, and when. For each pair of nodes one side dials: the smaller name, unless
 * it cannot be reached (it does not listen), so that two nodes cut apart do not redial each other
 * at once. A failed dial is retried after `backoffDelay` on the node's clock; a peer that left,
 * or is blocked, is not redialed.
 */
export class Redialer {
  readonly #host: RedialHost;
  readonly #options: ReconnectOptions;
  readonly #random: () => number;

  constructor(host: RedialHost, options: ReconnectOptions, random: () => number) {
    this.#host = host;
    this.#options = options;
    this.#random = random;
  }

  shouldDial(rec: PeerRecord): boolean {
    return rec.address !== undefined && (this.#host.self < rec.name || !this.#host.listening());
  }

  /** Dials now (gossip, unblock, or a timer that fired). */
  dialNow(rec: PeerRecord): void {
    if (rec.redialing || rec.conn !== undefined || rec.address === undefined) return;
    if (this.#host.closed()) return;
    rec.redialing = true;
    this.cancel(rec);
    this.#host.dial(rec).then(
      () => {
        rec.redialing = false;
      },
      () => {
        rec.redialing = false;
        this.afterLoss(rec);
      },
    );
  }

  /** After a lost connection or a failed dial: schedules the next attempt if this side dials. */
  afterLoss(rec: PeerRecord): void {
    if (this.#host.closed() || rec.conn !== undefined || rec.left || rec.blocked) return;
    if (!this.shouldDial(rec) || rec.timer !== undefined || rec.redialing) return;
    const delay = backoffDelay(++rec.attempt, this.#options, this.#random);
    rec.timer = this.#host.clock.setTimer(delay, () => {
      rec.timer = undefined;
      this.#host.redialed();
      this.dialNow(rec);
    });
  }

  cancel(rec: PeerRecord): void {
    if (rec.timer === undefined) return;
    this.#host.clock.clearTimer(rec.timer);
    rec.timer = undefined;
  }
}
