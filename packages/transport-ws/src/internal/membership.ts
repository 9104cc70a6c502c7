import type { Clock, Delivery, Envelope, Pid, TransportHost } from '@warden/core';
import type WebSocket from 'ws';
import { parseAddress } from '../address.js';
import type { ResolvedOptions, WsTransportEvent } from '../options.js';
import { type WsTransportStats, zeroStats } from '../ws-transport.js';
import { verifyCertificate } from './certificate.js';
import { CLOSE } from './close-codes.js';
import { Connection } from './connection.js';
import type { ConnectionHost } from './connection-host.js';
import { EndOfTick } from './end-of-tick.js';
import type { Member } from './frames.js';
import type { ClientHello, Identity } from './handshake.js';
import { Heartbeat } from './heartbeat.js';
import { type PeerRecord, PeerTable } from './peer-table.js';
import type { Redialer } from './redialer.js';
import type { Waiters } from './waiters.js';

/** What the membership needs from the transport around it. */
export interface MembershipHooks {
  readonly redialer: () => Redialer;
  readonly waiters: Waiters;
  /** True once the node detached: no more nodeUp/nodeDown, no new connections. */
  detached(): boolean;
  /** Called whenever a socket finishes closing. */
  socketClosed(): void;
  emit(event: WsTransportEvent): void;
}

/**
 * The peers of one node and their connections. Invariants: at most one established connection
 * per peer name, and envelopes only go through it; `nodeUp` once when a connection is
 * established, `nodeDown` once when it is lost (never after the node detached); a new
 * incarnation of a peer replaces the old connection (old `nodeDown`, then new `nodeUp`).
 */
export class Membership implements ConnectionHost {
  readonly host: TransportHost;
  readonly peers = new PeerTable();
  /** Every connection whose socket has not closed yet (open or closing). */
  readonly sockets = new Set<Connection>();
  readonly heartbeat: Heartbeat;
  readonly #endOfTick = new EndOfTick();
  readonly #hooks: MembershipHooks;
  readonly #options: ResolvedOptions;
  readonly batchBytes: number;
  readonly highWaterMark: number;
  readonly hardLimit: number;
  readonly counters: WsTransportStats = zeroStats();

  constructor(host: TransportHost, options: ResolvedOptions, hooks: MembershipHooks) {
    this.host = host;
    this.#hooks = hooks;
    this.#options = options;
    this.batchBytes = options.batchBytes;
    this.highWaterMark = options.highWaterMark;
    this.hardLimit = options.hardLimit;
    this.heartbeat = new Heartbeat(
      host.clock,
      options.heartbeatInterval,
      options.heartbeatTimeout,
      () => this.#open(),
    );
  }

  get self(): string {
    return this.host.name;
  }

  get clock(): Clock {
    return this.host.clock;
  }

  deliver(envelope: Envelope): Delivery {
    return this.peers.find(envelope.to.node)?.conn?.send(envelope) ?? false;
  }

  isConnected(node: string): boolean {
    return this.peers.find(node)?.conn !== undefined;
  }

  /** Nothing to flush, no frame that carried something unacknowledged, no socket closing. */
  isIdle(): boolean {
    if (this.#endOfTick.pending) return false;
    for (const conn of this.sockets) if (!conn.isIdle()) return false;
    return true;
  }

  /**
   * Whether to let an authenticated hello in (0) or the HTTP status to refuse it with: 409 for a
   * duplicate of an open connection (same incarnation), or when both sides dial at once and ours
   * wins (the dial of the smaller node name wins, on both sides).
   */
  admit(hello: ClientHello, dialing: boolean): number {
    if (this.#hooks.detached()) return 503;
    if (hello.node === this.host.name) return 409;
    const rec = this.peers.find(hello.node);
    if (rec?.blocked) return 403;
    if (rec?.conn !== undefined && rec.conn.peer.incarnation === hello.incarnation) return 409;
    if ((dialing || (rec?.dialing ?? 0) > 0) && this.host.name < hello.node) return 409;
    return 0;
  }

  /** Registers an authenticated socket as the peer's connection, if it may be one. */
  establish(ws: WebSocket, peer: Identity, initiator: boolean): boolean {
    const conn = new Connection(ws, peer, initiator, this);
    this.sockets.add(conn);
    const rec = this.peers.get(peer.node);
    if (this.#hooks.detached() || rec.blocked) {
      conn.drop(CLOSE.disconnected, 'refused', 'close');
      return false;
    }
    const old = rec.conn;
    if (old !== undefined) {
      if (old.peer.incarnation === peer.incarnation) {
        // `conn` is not `rec.conn`, so dropping it reports no loss: the node sees nothing.
        conn.drop(CLOSE.duplicate, 'duplicate connection', 'close');
        return false;
      }
      // A new incarnation: the old connection is lost (nodeDown) before the new one is up.
      old.drop(CLOSE.superseded, 'superseded by a new incarnation', 'close');
    }
    this.#hooks.redialer().cancel(rec);
    rec.conn = conn;
    rec.left = false;
    rec.attempt = 0;
    rec.known = true;
    rec.certificate = peer.certificate ?? '';
    if (peer.address !== '') rec.address = parseAddress(peer.address);
    this.#hooks.emit({
      type: 'connection.up',
      node: peer.node,
      incarnation: peer.incarnation,
      initiator,
    });
    this.host.nodeUp(peer.node);
    this.#hooks.waiters.up(peer.node);
    this.heartbeat.start();
    this.#gossip(rec);
    return true;
  }

  /** The node stops: LEAVE on every connection, no nodeDown. */
  leaveAll(): void {
    this.heartbeat.stop();
    for (const rec of this.peers.all()) {
      this.#hooks.redialer().cancel(rec);
      const conn = rec.conn;
      rec.conn = undefined;
      conn?.leave();
    }
  }

  cancelFlush(): void {
    this.#endOfTick.cancel();
  }

  // ---- ConnectionHost --------------------------------------------------------------------------

  receive(envelope: Envelope): void {
    try {
      this.host.receive(envelope);
    } catch {
      // the node's inbound path does not throw for a checked envelope; be safe regardless
    }
  }

  receiveMessage(to: Pid, message: unknown, cast: boolean, trace: unknown): void {
    try {
      this.host.receiveMessage(to, message, cast, trace);
    } catch {
      // as for `receive`
    }
  }

  /**
   * Peers a member names: only those whose certificate the cluster key signed, and never more
   * than `maxPeers` records in all. Each is dialed (under the redialer's
   * cap on concurrent dials) while some connected member lists it.
   */
  members(from: Connection, members: Member[]): void {
    const redialer = this.#hooks.redialer();
    const voucher = from.peer.node;
    let ignored = 0;
    let reason = '';
    const ignore = (why: string): void => {
      ignored++;
      reason ||= why;
    };
    for (const m of members) {
      if (m.name === this.host.name) continue;
      const found = this.peers.find(m.name);
      if (found?.conn !== undefined || found?.blocked === true) continue;
      // The bound first: a full table costs no signature check per gossiped member.
      if (found === undefined && this.peers.size >= this.#options.maxPeers) {
        ignore('too many peers');
        continue;
      }
      const refused = this.#unvouched(m);
      if (refused !== undefined) {
        ignore(refused);
        continue;
      }
      const rec = found ?? this.peers.get(m.name);
      rec.address = m.address;
      rec.left = false;
      if (m.certificate !== '') rec.certificate = m.certificate;
      rec.listedBy.add(voucher);
      if (redialer.shouldDial(rec)) redialer.dialNow(rec);
    }
    if (ignored > 0) {
      this.#hooks.emit({ type: 'members.ignored', from: voucher, count: ignored, reason });
    }
  }

  /** Why a gossiped member is not to be dialed, or undefined if the cluster vouches for it. */
  #unvouched(m: Member): string | undefined {
    const certificate = verifyCertificate(
      this.#options.identity.clusterKey,
      m.certificate,
      this.#options.wallClock(),
    );
    if (typeof certificate === 'string') return certificate;
    return certificate.node === m.name ? undefined : 'certificate names another node';
  }

  /** `from` is gone: peers only it listed, never connected to this node, are no longer dialed. */
  #unlist(from: string): void {
    const redialer = this.#hooks.redialer();
    for (const rec of [...this.peers.all()]) {
      if (!rec.listedBy.delete(from) || rec.listedBy.size > 0 || rec.known) continue;
      if (rec.conn !== undefined) continue;
      redialer.cancel(rec);
      this.peers.forget(rec);
    }
  }

  leave(from: Connection): void {
    const rec = this.peers.find(from.peer.node);
    if (rec?.conn === from) rec.left = true;
    from.drop(CLOSE.leaving, 'peer left', 'close');
  }

  lost(conn: Connection, code: number, reason: string): void {
    const rec = this.peers.find(conn.peer.node);
    if (rec === undefined || rec.conn !== conn) return;
    rec.conn = undefined;
    this.#hooks.emit({ type: 'connection.down', node: rec.name, code, reason });
    if (this.#hooks.detached()) return;
    this.#unlist(rec.name);
    this.host.nodeDown(rec.name);
    if (this.peers.connectedCount() === 0) this.heartbeat.stop();
    this.#hooks.redialer().afterLoss(rec);
  }

  closed(conn: Connection): void {
    this.sockets.delete(conn);
    this.#endOfTick.forget(conn);
    this.#hooks.socketClosed();
  }

  rejected(conn: Connection, code: number, reason: string): void {
    this.counters.rejectedFrames++;
    this.#hooks.emit({ type: 'frame.rejected', node: conn.peer.node, code, reason });
  }

  schedule(conn: Connection): void {
    this.#endOfTick.schedule(conn);
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Tells the new peer about everyone, and everyone about the new peer (full mesh). */
  #gossip(joined: PeerRecord): void {
    const known: Member[] = [];
    for (const rec of this.peers.all()) {
      if (rec.conn === undefined || rec === joined || rec.address === undefined) continue;
      known.push({ name: rec.name, address: rec.address, certificate: rec.certificate });
      if (joined.address !== undefined) {
        rec.conn.members([
          { name: joined.name, address: joined.address, certificate: joined.certificate },
        ]);
      }
    }
    if (known.length > 0) joined.conn?.members(known);
  }

  *#open(): Iterable<Connection> {
    for (const rec of this.peers.all()) if (rec.conn !== undefined) yield rec.conn;
  }
}
