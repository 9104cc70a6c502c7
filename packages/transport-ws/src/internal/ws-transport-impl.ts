import type { Delivery, Envelope, TransportHost } from '@warden/core';
import { formatAddress, type PeerAddress, parseAddress } from '../address.js';
import { WsTransportError } from '../errors.js';
import type { ResolvedOptions, WsTransportEvent } from '../options.js';
import {
  type ListenOptions,
  type WsTransport,
  type WsTransportStats,
  zeroStats,
} from '../ws-transport.js';
import { Acceptor } from './acceptor.js';
import { CLOSE } from './close-codes.js';
import type { Identity } from './handshake.js';
import { Membership } from './membership.js';
import { Outbound } from './outbound.js';
import { Redialer } from './redialer.js';
import { Waiters } from './waiters.js';

/** The parts that need the node (its name, its clock), made when it attaches. */
interface Attached {
  readonly members: Membership;
  readonly redialer: Redialer;
  readonly waiters: Waiters;
  readonly outbound: Outbound;
  readonly untrack: (() => void) | undefined;
}

/** Hosts that bind every interface: not an address a peer can dial. */
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The transport's face: the `Transport` contract for the node and the `WsTransport` API for
 * the application, over the listener (`Acceptor`), the dialer (`Outbound`, `Redialer`) and the
 * peers (`Membership`).
 */
export class WsTransportImpl implements WsTransport {
  readonly #options: ResolvedOptions;
  #a: Attached | undefined;
  #acceptor: Acceptor | undefined;
  #address: PeerAddress | undefined;
  /** The address peers are told to dial (undefined: they cannot dial this node). */
  #advertised: PeerAddress | undefined;
  #detached = false;
  #closed: Promise<void> | undefined;
  #allClosed: (() => void) | undefined;

  constructor(options: ResolvedOptions) {
    this.#options = options;
  }

  // ---- Transport -------------------------------------------------------------------------------

  attach(host: TransportHost): void {
    if (this.#a !== undefined) {
      throw new WsTransportError('ERR_CLOSED', 'a ws transport serves one node, once');
    }
    const o = this.#options;
    if (o.identity.node !== host.name) {
      throw new WsTransportError(
        'ERR_INVALID_OPTION',
        `identity: the certificate names ${o.identity.node}, not ${host.name}`,
        { field: 'identity' },
      );
    }
    const emit = (event: WsTransportEvent): void => this.#emit(event);
    const detached = (): boolean => this.#detached;
    const waiters = new Waiters(host.clock);
    let redialer: Redialer | undefined;
    const members = new Membership(host, o, {
      redialer: () => redialer as Redialer,
      waiters,
      detached,
      socketClosed: () => this.#maybeAllClosed(),
      emit,
    });
    const outbound = new Outbound(
      {
        clock: host.clock,
        self: host.name,
        waiters,
        identity: () => this.#identity(),
        closed: detached,
        isConnected: (node) => members.isConnected(node),
        peer: (name) => members.peers.get(name),
        establish: (ws, server) => members.establish(ws, server, true),
        emit,
      },
      o,
    );
    redialer = new Redialer(
      {
        clock: host.clock,
        self: host.name,
        listening: () => this.#advertised !== undefined,
        closed: detached,
        dial: (rec) => outbound.dial(rec.address as PeerAddress, rec.name),
        redialed: () => members.counters.reconnects++,
      },
      o.reconnect,
      o.random,
      { concurrent: o.maxConcurrentDials, attempts: o.redialAttempts },
    );
    // A TestClock settles only once nothing this transport sent is unacknowledged.
    const track = (host.clock as { track?: (p: { isIdle(): boolean }) => () => void }).track;
    const untrack = track?.call(host.clock, {
      isIdle: () => outbound.inFlight === 0 && members.isIdle(),
    });
    this.#a = { members, redialer, waiters, outbound, untrack };
  }

  deliver(envelope: Envelope): Delivery {
    return this.#a?.members.deliver(envelope) ?? false;
  }

  isConnected(node: string): boolean {
    return this.#a?.members.isConnected(node) === true;
  }

  nodes(): string[] {
    return this.#a?.members.peers.connectedNames() ?? [];
  }

  /** Sends what is pending and LEAVE on every connection, then closes them. No nodeDown. */
  detach(): void {
    if (this.#detached || this.#a === undefined) return;
    this.#detached = true;
    this.#a.waiters.close();
    this.#a.members.leaveAll();
    void this.#acceptor?.close().then(() => this.#maybeAllClosed());
    this.#maybeAllClosed();
  }

  // ---- WsTransport -----------------------------------------------------------------------------

  get address(): PeerAddress | undefined {
    return this.#address;
  }

  async listen(options: ListenOptions = {}): Promise<PeerAddress> {
    const { members, outbound } = this.#attached();
    if (this.#detached) throw new WsTransportError('ERR_CLOSED', 'the transport is closed');
    if (this.#acceptor !== undefined) {
      throw new WsTransportError('ERR_INVALID_OPTION', 'already listening', { field: 'listen' });
    }
    this.#acceptor = new Acceptor(this.#options, {
      identity: () => this.#identity(),
      admit: (hello) => members.admit(hello, outbound.isDialing(hello.address)),
      accepted: (ws, hello) => members.establish(ws, hello, false),
    });
    const host = options.host ?? '127.0.0.1';
    const bound = await this.#acceptor.listen(host, options.port ?? 0);
    this.#address = bound;
    this.#advertised =
      options.advertise !== undefined
        ? parseAddress(options.advertise)
        : WILDCARDS.has(host)
          ? undefined
          : bound;
    return bound;
  }

  connect(address: string | PeerAddress, options: { timeout?: number } = {}): Promise<string> {
    return this.#attached().outbound.connect(address, options.timeout ?? 10_000);
  }

  stats(): WsTransportStats {
    const members = this.#a?.members;
    if (members === undefined) return zeroStats();
    return {
      ...members.counters,
      connections: members.peers.connectedCount(),
      pendingHandshakes: this.#acceptor?.pendingSockets ?? 0,
    };
  }

  disconnect(node: string): boolean {
    const conn = this.#a?.members.peers.find(node)?.conn;
    if (conn === undefined) return false;
    conn.drop(CLOSE.disconnected, 'disconnected', 'close');
    return true;
  }

  block(node: string): void {
    const { members, redialer } = this.#attached();
    const rec = members.peers.get(node);
    rec.blocked = true;
    redialer.cancel(rec);
    rec.conn?.drop(CLOSE.disconnected, 'blocked', 'close');
  }

  unblock(node: string): void {
    const { members, redialer } = this.#attached();
    const rec = members.peers.find(node);
    if (rec === undefined || !rec.blocked) return;
    rec.blocked = false;
    if (redialer.shouldDial(rec)) redialer.dialNow(rec);
  }

  close(): Promise<void> {
    if (this.#a === undefined) {
      this.#detached = true;
      return this.#acceptor?.close() ?? Promise.resolve();
    }
    this.#closed ??= new Promise<void>((resolve) => {
      this.#allClosed = resolve;
    });
    this.detach();
    this.#maybeAllClosed();
    return this.#closed;
  }

  // ---- internals -------------------------------------------------------------------------------

  #identity(): Identity {
    const { members } = this.#attached();
    return {
      node: members.host.name,
      incarnation: members.host.incarnation,
      address: this.#advertised === undefined ? '' : formatAddress(this.#advertised),
      maxPayload: this.#options.maxPayload,
      certificate: this.#options.identity.certificate,
    };
  }

  #maybeAllClosed(): void {
    const a = this.#a;
    if (!this.#detached || a === undefined || a.members.sockets.size > 0) return;
    if (this.#acceptor?.listening === true) return;
    a.members.cancelFlush();
    a.untrack?.();
    this.#allClosed?.();
  }

  #attached(): Attached {
    if (this.#a === undefined) {
      throw new WsTransportError('ERR_NOT_ATTACHED', 'create the node with this transport first');
    }
    return this.#a;
  }

  #emit(event: WsTransportEvent): void {
    try {
      this.#options.onEvent(event);
    } catch {
      // an observer cannot hurt the transport
    }
  }
}
