import type { Transport } from '@warden/core';
import type { PeerAddress } from './address.js';
import { WsTransportImpl } from './internal/ws-transport-impl.js';
import { resolveOptions, type WsTransportOptions } from './options.js';

/** Counters for dashboards and tests. */
export interface WsTransportStats {
  /** Peers connected now. */
  connections: number;
  framesIn: number;
  framesOut: number;
  envelopesIn: number;
  envelopesOut: number;
  /** Sends and casts refused because the peer's socket was saturated (back-pressure). */
  refused: number;
  /** Frames that closed their connection (text, undecodable, schema violation). */
  rejectedFrames: number;
  /** Redial attempts made by the backoff timer. */
  reconnects: number;
  /** Replies, DOWNs and demonitors dropped: their ref was not made over that connection. */
  unboundRefs: number;
  /** Sockets accepted that have not completed a handshake yet (bounded by maxPendingHandshakes). */
  pendingHandshakes: number;
}

/** Every counter at zero: a fresh transport's stats. */
export function zeroStats(): WsTransportStats {
  return {
    connections: 0,
    framesIn: 0,
    framesOut: 0,
    envelopesIn: 0,
    envelopesOut: 0,
    refused: 0,
    rejectedFrames: 0,
    reconnects: 0,
    unboundRefs: 0,
    pendingHandshakes: 0,
  };
}

export interface ListenOptions {
  /** Interface to bind. Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /**
   * `host:port` that peers should dial to reach this node (told to them in the handshake and in
   * membership gossip). Default: the bound address, or none when `host` is a wildcard
   * (`0.0.0.0`, `::`): then peers never dial this node, it dials them.
   */
  readonly advertise?: string | PeerAddress;
}

/**
 * A `Transport` that joins nodes with authenticated WebSockets (docs/distribution.md). One
 * transport serves one node, once: create it, pass it to `createNode`, then `listen` and
 * `connect`. The node's `stop()` leaves the cluster; `close()` also waits for the sockets.
 *
 * @example
 * const transport = createWsTransport({
 *   secret: process.env.WARDEN_SECRET ?? '',
 *   identity: { clusterKey, certificate, privateKey }, // from issueNodeCredential
 * });
 * const node = createNode({ name: 'a', transport });
 * await transport.listen({ host: '10.0.0.1', port: 4370 });
 * await transport.connect('10.0.0.2:4370'); // the rest of the cluster follows (full mesh)
 */
export interface WsTransport extends Transport {
  /** Listens for peers; resolves with the bound address (port 0 picks a free port). */
  listen(options?: ListenOptions): Promise<PeerAddress>;
  /** Where this node listens, once `listen` resolved. */
  readonly address: PeerAddress | undefined;
  /**
   * Connects to the node at `address` (`host:port`), retrying with backoff for up to `timeout`
   * ms of the node's clock (default 10 000). Resolves with the peer's name, also when it was
   * connected already. Rejects at once with `ERR_AUTH_REJECTED` or `ERR_SELF_CONNECT`, and with
   * `ERR_CONNECT_TIMEOUT` when the time is up.
   */
  connect(address: string | PeerAddress, options?: { timeout?: number }): Promise<string>;
  /** Drops the connection to `node` now (envelopes not yet sent are lost); false if none. */
  disconnect(node: string): boolean;
  /** Refuses every connection with `node` until `unblock` (and drops the current one). */
  block(node: string): void;
  unblock(node: string): void;
  stats(): WsTransportStats;
  /** Leaves the cluster (as the node's `stop` does) and resolves once every socket is closed. */
  close(): Promise<void>;
}

/**
 * Creates the transport; throws `ERR_NO_SECRET` without a secret (there is no default),
 * `ERR_WEAK_SECRET` below 32 bytes, `ERR_INVALID_OPTION` naming any other bad option, `identity`
 * included when it is missing (a node always proves its name).
 */
export function createWsTransport(options: WsTransportOptions): WsTransport {
  return new WsTransportImpl(resolveOptions(options));
}
