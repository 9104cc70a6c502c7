import { checks } from './dashboard-options.js';
import type { NodeView } from './dashboard-snapshot.js';

/**
 * Another node whose state a dashboard shows beside its own: as Erlang's observer attaches to
 * any node of the cluster, one page shows the supervision trees of all. `fetch` answers that
 * node's view; a peer that fails or takes too long is shown unreachable, with its last view.
 */
export interface DashboardPeer {
  readonly name: string;
  fetch(signal: AbortSignal): Promise<NodeView>;
}

export interface HttpPeerOptions {
  /** The peer dashboard's address, as its `serveDashboard` printed it (the token is taken from it). */
  readonly url: string;
  /** Default: the `token` parameter of `url`. */
  readonly token?: string;
  /** Shown until its first answer. Default: the URL's host. */
  readonly name?: string;
}

/** The largest peer answer read (bytes): a peer cannot make this node buffer without bound. */
const MAX_PEER_BYTES = 4 * 1024 * 1024;

/**
 * A peer served by another node's dashboard (`serveDashboard` there), read from its
 * `/api/node` with its token. Its processes are shown under its own node name.
 *
 * @example
 * const worker = await serveDashboard(workerNode);
 * const main = await serveDashboard(node, { peers: [httpPeer({ url: worker.url })] });
 */
export function httpPeer(options: HttpPeerOptions): DashboardPeer {
  checks.record('options', options);
  let url: URL;
  try {
    url = new URL(checks.name('url', options.url));
  } catch {
    throw checks.invalid('url', options.url, 'an http URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw checks.invalid('url', options.url, 'an http URL');
  }
  const token = checks.name('token', options.token ?? url.searchParams.get('token') ?? undefined);
  const name = options.name === undefined ? url.host : checks.name('name', options.name);
  const endpoint = new URL('/api/node', url);
  return {
    name,
    async fetch(signal) {
      const response = await fetch(endpoint, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal,
      });
      if (!response.ok) throw new Error(`peer ${name} answered ${response.status}`);
      const view = JSON.parse(await boundedBody(response, name)) as NodeView;
      if (typeof view?.name !== 'string' || !Array.isArray(view.processes)) {
        throw new Error(`peer ${name} answered something that is not a node view`);
      }
      return view;
    },
  };
}

async function boundedBody(response: Response, name: string): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_PEER_BYTES) {
      await reader.cancel();
      throw new Error(`peer ${name} answered more than ${MAX_PEER_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
