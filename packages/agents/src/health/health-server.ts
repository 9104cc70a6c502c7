import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Node } from '@warden/core';
import { checkInt, checkName } from '../model/policy/option-checks.js';
import type { Health } from './health.js';

export const HEALTH_SERVER_DEFAULTS = Object.freeze({ host: '127.0.0.1', port: 0 });

export interface HealthServerOptions {
  /** Default 127.0.0.1: health detail names agents and dependencies, keep it off the network. */
  readonly host?: string;
  /** Default 0: a free port (read it from `port`). */
  readonly port?: number;
}

export interface HealthServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Closes the server (also done when the node stops). */
  close(): Promise<void>;
}

/**
 * Serves `/healthz` (L1: 200 while live), `/readyz` (L1 + L2: 200 while ready) and `/health`
 * (the JSON report, 200 unless the node is not live) from the latest recorded results: a probe
 * never triggers a check, so a burst of probes costs a lookup, not a model call. Any other path
 * is a 404, any method but GET and HEAD a 405. Closes when the node stops.
 */
export async function serveHealth(
  node: Node,
  health: Health,
  options: HealthServerOptions = {},
): Promise<HealthServer> {
  const host = checkName('host', options.host ?? HEALTH_SERVER_DEFAULTS.host);
  const port = checkInt('port', options.port ?? HEALTH_SERVER_DEFAULTS.port, 0);
  const server = createServer((req, res) => handle(health, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      node.signal.removeEventListener('abort', onStop);
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  const onStop = () => void close();
  if (node.signal.aborted) await close();
  else node.signal.addEventListener('abort', onStop, { once: true });
  const bound = (server.address() as AddressInfo).port;
  return { host, port: bound, url: `http://${host}:${bound}`, close };
}

function handle(health: Health, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, { error: 'method not allowed' }, { allow: 'GET, HEAD' });
    return;
  }
  const path = (req.url ?? '/').split('?')[0];
  switch (path) {
    case '/healthz': {
      const live = health.live();
      send(res, live ? 200 : 503, { status: live ? 'pass' : 'fail' });
      return;
    }
    case '/readyz': {
      const ready = health.ready();
      send(res, ready ? 200 : 503, { status: ready ? 'pass' : 'fail' });
      return;
    }
    case '/health': {
      const report = health.report();
      send(res, report.live ? 200 : 503, report);
      return;
    }
    default:
      send(res, 404, { error: 'not found' });
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
