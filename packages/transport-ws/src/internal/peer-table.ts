import type { TimerHandle } from '@warden/core';
import type { PeerAddress } from '../address.js';
import type { Connection } from './connection.js';

/** What a node knows of one peer, connected or not. */
export interface PeerRecord {
  readonly name: string;
  address: PeerAddress | undefined;
  /** The one connection carrying envelopes to and from this peer. */
  conn: Connection | undefined;
  /** It said LEAVE: do not redial until it connects again or is announced again. */
  left: boolean;
  blocked: boolean;
  /** Upgrades in flight to this peer (for the simultaneous-dial tie-break). */
  dialing: number;
  /** A redial (from backoff, gossip or unblock) is running. */
  redialing: boolean;
  attempt: number;
  timer: TimerHandle | undefined;
  /** Its node certificate, once it connected or a member vouched for it ('' without one). */
  certificate: string;
  /** It was connected to this node, or named to `connect`: redialed after a loss. */
  known: boolean;
  /** Connected peers whose MEMBERS listed it: a peer only gossiped is dialed while one lists it. */
  readonly listedBy: Set<string>;
}

/** Peers by name. Invariant: at most one open connection per peer name. */
export class PeerTable {
  readonly #peers = new Map<string, PeerRecord>();

  find(name: string): PeerRecord | undefined {
    return this.#peers.get(name);
  }

  get(name: string): PeerRecord {
    let rec = this.#peers.get(name);
    if (rec === undefined) {
      rec = {
        name,
        address: undefined,
        conn: undefined,
        left: false,
        blocked: false,
        dialing: 0,
        redialing: false,
        attempt: 0,
        timer: undefined,
        certificate: '',
        known: false,
        listedBy: new Set(),
      };
      this.#peers.set(name, rec);
    }
    return rec;
  }

  get size(): number {
    return this.#peers.size;
  }

  /** Forgets a peer that is neither connected nor being dialed. */
  forget(rec: PeerRecord): void {
    if (rec.conn !== undefined || rec.dialing > 0 || rec.blocked) return;
    // A dial still in flight holds the record: without an address it schedules no redial.
    rec.address = undefined;
    this.#peers.delete(rec.name);
  }

  all(): IterableIterator<PeerRecord> {
    return this.#peers.values();
  }

  connectedNames(): string[] {
    const out: string[] = [];
    for (const rec of this.#peers.values()) if (rec.conn !== undefined) out.push(rec.name);
    return out;
  }

  connectedCount(): number {
    let n = 0;
    for (const rec of this.#peers.values()) if (rec.conn !== undefined) n++;
    return n;
  }
}
