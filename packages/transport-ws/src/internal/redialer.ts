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
 * or is blocked, is not redialed, nor one that failed `attempts` dials in a row (until it connects
 * or is named again). At most `concurrent` dials run at once; the others wait their turn, so no
 * list of peers, however long, turns into a burst of sockets.
 */
export class Redialer {
  readonly #host: RedialHost;
  readonly #options: ReconnectOptions;
  readonly #random: () => number;
  readonly #limits: { readonly concurrent: number; readonly attempts: number };
  readonly #waiting = new Set<PeerRecord>();
  #active = 0;

  constructor(
    host: RedialHost,
    options: ReconnectOptions,
    random: () => number,
    limits: { readonly concurrent: number; readonly attempts: number },
  ) {
    this.#host = host;
    this.#options = options;
    this.#random = random;
    this.#limits = limits;
  }

  /** Dials running now (for tests and stats). */
  get active(): number {
    return this.#active;
  }

  shouldDial(rec: PeerRecord): boolean {
    return rec.address !== undefined && (this.#host.self < rec.name || !this.#host.listening());
  }

  /** Dials now (gossip, unblock, or a timer that fired). */
  dialNow(rec: PeerRecord): void {
    if (rec.redialing || rec.conn !== undefined || rec.address === undefined) return;
    if (this.#host.closed()) return;
    this.cancel(rec);
    if (this.#active >= this.#limits.concurrent) {
      this.#waiting.add(rec);
      return;
    }
    rec.redialing = true;
    this.#active++;
    this.#host.dial(rec).then(
      () => {
        rec.redialing = false;
        this.#next();
      },
      () => {
        rec.redialing = false;
        this.afterLoss(rec);
        this.#next();
      },
    );
  }

  /** A dial settled: the longest-waiting peer takes its place. */
  #next(): void {
    this.#active--;
    for (const rec of this.#waiting) {
      this.#waiting.delete(rec);
      if (rec.conn !== undefined || rec.address === undefined || rec.blocked) continue;
      this.dialNow(rec);
      return;
    }
  }

  /** After a lost connection or a failed dial: schedules the next attempt if this side dials. */
  afterLoss(rec: PeerRecord): void {
    if (this.#host.closed() || rec.conn !== undefined || rec.left || rec.blocked) return;
    if (!this.shouldDial(rec) || rec.timer !== undefined || rec.redialing) return;
    if (rec.attempt >= this.#limits.attempts) return;
    // A peer only gossiped, which no connected member lists any more, is not redialed.
    if (!rec.known && rec.listedBy.size === 0) return;
    const delay = backoffDelay(++rec.attempt, this.#options, this.#random);
    rec.timer = this.#host.clock.setTimer(delay, () => {
      rec.timer = undefined;
      this.#host.redialed();
      this.dialNow(rec);
    });
  }

  cancel(rec: PeerRecord): void {
    this.#waiting.delete(rec);
    if (rec.timer === undefined) return;
    this.#host.clock.clearTimer(rec.timer);
    rec.timer = undefined;
  }
}
