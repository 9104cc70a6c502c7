import type { Clock } from '@warden/core';
import type WebSocket from 'ws';
import { formatAddress, type PeerAddress, parseAddress } from '../address.js';
import { backoffDelay } from '../backoff.js';
import { isWsTransportError, WsTransportError } from '../errors.js';
import type { ResolvedOptions, WsTransportEvent } from '../options.js';
import { fetchChallenge, upgrade } from './dialer.js';
import type { Identity } from './handshake.js';
import type { PeerRecord } from './peer-table.js';
import type { Waiters } from './waiters.js';

/** What dialing needs from the transport. */
export interface OutboundHost {
  readonly clock: Clock;
  readonly self: string;
  readonly waiters: Waiters;
  identity(): Identity;
  closed(): boolean;
  isConnected(node: string): boolean;
  peer(name: string): PeerRecord;
  /** Registers the socket as the peer's connection; false if refused (duplicate, blocked). */
  establish(ws: WebSocket, server: Identity): boolean;
  emit(event: WsTransportEvent): void;
}

/**
 * Outgoing connections: one dial (challenge, upgrade, establish) and `connect`, which retries
 * dials with backoff on the node's clock. A dial counts as in flight from its first byte, by
 * address until the challenge names the peer, then by name: the acceptor's tie-break reads it.
 */
export class Outbound {
  readonly #host: OutboundHost;
  readonly #options: ResolvedOptions;
  readonly #addresses = new Map<string, number>();
  #inFlight = 0;

  constructor(host: OutboundHost, options: ResolvedOptions) {
    this.#host = host;
    this.#options = options;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** True while a dial to `address` (`host:port`) has not learnt the peer's name. */
  isDialing(address: string): boolean {
    return this.#addresses.has(address);
  }

  async connect(input: string | PeerAddress, timeout: number): Promise<string> {
    const address = parseAddress(input);
    const deadline = this.#host.clock.now() + timeout;
    for (let attempt = 1; ; attempt++) {
      if (this.#host.closed()) throw new WsTransportError('ERR_CLOSED', 'the transport is closed');
      try {
        return await this.dial(address);
      } catch (error) {
        if (
          isWsTransportError(error, 'ERR_AUTH_REJECTED') ||
          isWsTransportError(error, 'ERR_SELF_CONNECT')
        ) {
          throw error;
        }
        const delay = backoffDelay(attempt, this.#options.reconnect, this.#options.random);
        if (this.#host.clock.now() + delay > deadline) {
          throw new WsTransportError(
            'ERR_CONNECT_TIMEOUT',
            `could not connect to ${formatAddress(address)}`,
            {
              cause: error,
            },
          );
        }
        await this.#host.waiters.sleep(delay);
      }
    }
  }

  /**
   * Dials `address`; resolves with the peer's name once connected (by this dial or another).
   * With `expected`, a node answering under another name is not dialed further.
   */
  async dial(address: PeerAddress, expected?: string): Promise<string> {
    const host = this.#host;
    const key = formatAddress(address);
    this.#inFlight++;
    this.#addresses.set(key, (this.#addresses.get(key) ?? 0) + 1);
    let target: PeerRecord | undefined;
    try {
      const challenge = await fetchChallenge(address, this.#options);
      this.#release(key);
      if (challenge.node === host.self) {
        throw new WsTransportError('ERR_SELF_CONNECT', `${key} is this node`);
      }
      if (expected !== undefined && challenge.node !== expected) {
        throw new WsTransportError('ERR_CONNECT_REFUSED', `${key} is not ${expected}`);
      }
      if (host.isConnected(challenge.node)) return challenge.node;
      if (host.closed()) throw new WsTransportError('ERR_CLOSED', 'the transport is closed');
      target = host.peer(challenge.node);
      if (target.blocked)
        throw new WsTransportError('ERR_CONNECT_REFUSED', `${target.name} is blocked`);
      target.dialing++;
      const { ws, server } = await upgrade(address, challenge, host.identity(), this.#options);
      if (host.establish(ws, server) || host.isConnected(server.node)) return server.node;
      throw new WsTransportError('ERR_CONNECT_REFUSED', `connection to ${server.node} was refused`);
    } catch (error) {
      // Refused as a duplicate: the peer's own dial to us won the tie-break, or is landing.
      if (
        target !== undefined &&
        isWsTransportError(error, 'ERR_DUPLICATE') &&
        !host.closed() &&
        !host.isConnected(target.name)
      ) {
        await host.waiters.connected(target.name, this.#options.handshakeTimeout);
      }
      if (target !== undefined && host.isConnected(target.name)) return target.name;
      host.emit({ type: 'dial.failed', address: key, reason: (error as Error).message });
      throw error;
    } finally {
      if (target !== undefined) target.dialing--;
      else this.#release(key);
      this.#inFlight--;
    }
  }

  #release(key: string): void {
    const left = (this.#addresses.get(key) ?? 0) - 1;
    if (left > 0) this.#addresses.set(key, left);
    else this.#addresses.delete(key);
  }
}
