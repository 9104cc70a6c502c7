import { WsTransportError } from './errors.js';

/** Where a node listens. */
export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

const HOST = /^[A-Za-z0-9.:_-]{1,253}$/;

export function isValidAddress(value: unknown): value is PeerAddress {
  if (typeof value !== 'object' || value === null) return false;
  const { host, port } = value as { host?: unknown; port?: unknown };
  return (
    typeof host === 'string' &&
    HOST.test(host) &&
    typeof port === 'number' &&
    Number.isInteger(port) &&
    port > 0 &&
    port < 65536
  );
}

/** `host:port` (IPv6 hosts in brackets, `[::1]:4000`). */
export function formatAddress(address: PeerAddress): string {
  return address.host.includes(':')
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}

/** Parses `host:port` or `[v6]:port`; throws `ERR_BAD_ADDRESS`. */
export function parseAddress(input: string | PeerAddress): PeerAddress {
  if (typeof input !== 'string') {
    if (isValidAddress(input)) return { host: input.host, port: input.port };
    throw new WsTransportError('ERR_BAD_ADDRESS', `not an address: ${JSON.stringify(input)}`);
  }
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(input);
  const address = match && { host: (match[1] ?? match[2]) as string, port: Number(match[3]) };
  if (!address || !isValidAddress(address)) {
    throw new WsTransportError('ERR_BAD_ADDRESS', `not host:port: ${JSON.stringify(input)}`);
  }
  return address;
}
