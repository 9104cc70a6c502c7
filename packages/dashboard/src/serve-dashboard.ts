import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Node } from '@warden/core';
import { checks, type DashboardOptions, resolveDashboardOptions } from './dashboard-options.js';
import { DashboardState } from './internal/dashboard-state.js';
import { loopbackHosts } from './internal/request-checks.js';
import { sendError } from './internal/responses.js';
import { route } from './internal/routes.js';
import { SseHub } from './internal/sse-hub.js';
import { loadStaticFiles } from './internal/static-files.js';

export interface DashboardServer {
  /** The address to open, with the token: `http://127.0.0.1:PORT/?token=...`. */
  readonly url: string;
  /** This run's token: every API call needs it (`Authorization: Bearer <token>`). */
  readonly token: string;
  readonly host: string;
  readonly port: number;
  /** Live connections now. */
  readonly clients: number;
  /** Connections dropped because they stopped reading. */
  readonly dropped: number;
  /** Closes the server and its connections (also done when the node stops). Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves a live dashboard of `node`, as Erlang's observer attaches to any node: the supervision
 * tree with each agent's lifecycle state, mailboxes, breakers, ladders, restarts and tokens over
 * time, pending approvals to approve or deny, dead letters, and a selected agent's last steps.
 * The model behind it is built from the node's event stream, subscribed here; serve it before
 * starting the tree to see every child by its id.
 *
 * On 127.0.0.1 and a free port by default, with a token made for this run: print `url` (it
 * carries the token) and open it. The page updates over Server-Sent Events. Every API call needs
 * the token; a mutation also needs to come from the page's own origin. Closes when the node stops.
 *
 * @example
 * const dashboard = await serveDashboard(node, { approvals: desk });
 * console.log(`dashboard: ${dashboard.url}`);
 */
export async function serveDashboard(
  node: Node,
  options: DashboardOptions = {},
): Promise<DashboardServer> {
  if (typeof node?.inspect !== 'function' || typeof node?.processInfo !== 'function') {
    throw checks.invalid('node', node, 'a Node');
  }
  const resolved = resolveDashboardOptions(options);
  const files = resolved.uiDir === false ? undefined : loadStaticFiles(resolved.uiDir);
  const token = randomBytes(32).toString('base64url');
  const state = new DashboardState(node, resolved);
  const hub = new SseHub(node.clock, state, resolved);
  const routes = {
    token,
    hosts: undefined as ReadonlySet<string> | undefined,
    files,
    state,
    hub,
    options: resolved,
  };
  const server = createServer((req, res) => {
    route(routes, req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        const message = error instanceof Error ? error.message : String(error);
        sendError(res, 500, 'ERR_INTERNAL', message);
      } else res.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(resolved.port, resolved.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    state.stop();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  // A remote dashboard is reached by names this process cannot know; a local one by these only.
  routes.hosts = resolved.allowRemote ? undefined : loopbackHosts(resolved.host, port);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      node.signal.removeEventListener('abort', onStop);
      hub.close();
      state.stop();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  const onStop = () => void close();
  if (node.signal.aborted) await close();
  else node.signal.addEventListener('abort', onStop, { once: true });
  const shown = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  return {
    url: `http://${shown}:${port}/?token=${token}`,
    token,
    host: resolved.host,
    port,
    get clients() {
      return hub.size;
    },
    get dropped() {
      return hub.dropped;
    },
    close,
  };
}
