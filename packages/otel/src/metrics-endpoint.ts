import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checks } from './option-checks.js';
import { type CollectedMetrics, toPrometheusText } from './prometheus-text.js';

/** Anything that collects metrics on demand: every `MetricReader` of the SDK does. */
export interface MetricsSource {
  collect(): Promise<CollectedMetrics>;
}

export interface MetricsEndpointOptions {
  /** The reader registered with the application's `MeterProvider`. */
  readonly reader: MetricsSource;
  /** Default `127.0.0.1`: metrics name agents, tools and models, not for the open network. */
  readonly host?: string;
  /** Default 9464 (Prometheus' registered port for OpenTelemetry); 0 picks a free one. */
  readonly port?: number;
  /** Default `/metrics`. */
  readonly path?: string;
}

export const METRICS_ENDPOINT_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 9464,
  path: '/metrics',
});

export interface MetricsEndpoint {
  /** The address it listens on, for instance `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Serves the reader's metrics in the Prometheus text format on `node:http`. Each scrape
 * collects afresh; a collection that fails answers 500 with its message and the server goes on.
 * Resolves once listening; rejects with the listen error (a port in use: `EADDRINUSE`).
 */
export async function serveMetrics(options: MetricsEndpointOptions): Promise<MetricsEndpoint> {
  checks.record('options', options);
  const reader = options.reader;
  if (typeof reader?.collect !== 'function') {
    throw checks.invalid('reader', reader, 'a MetricReader (with collect)');
  }
  const host =
    options.host === undefined ? METRICS_ENDPOINT_DEFAULTS.host : checks.name('host', options.host);
  const port =
    options.port === undefined
      ? METRICS_ENDPOINT_DEFAULTS.port
      : checks.int('port', options.port, 0);
  if (port > 65_535) throw checks.invalid('port', port, 'a port number up to 65535');
  const path =
    options.path === undefined ? METRICS_ENDPOINT_DEFAULTS.path : checks.name('path', options.path);
  if (!path.startsWith('/')) throw checks.invalid('path', path, 'a path starting with /');

  const server = createServer((request, response) => {
    const url = request.url?.split('?')[0];
    if (url !== path) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end();
      return;
    }
    reader.collect().then(
      (collected) => {
        const body = toPrometheusText(collected);
        response.writeHead(200, { 'content-type': CONTENT_TYPE });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`collect failed: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
  });
  await listen(server, host, port);
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}${path}`,
    port: bound,
    close: () => close(server),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
