import type { DashboardSnapshot } from '../src/dashboard-snapshot.js';
import type { DashboardApi } from './dashboard-api.js';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'unauthorized';

/**
 * Reads the server's Server-Sent Events with `fetch`, not `EventSource`, so the token goes in a
 * header rather than the URL. A dropped connection is retried after the server's `retry:` delay
 * (doubling up to 30 s while it fails); each connection starts with a full snapshot.
 */
export async function followSnapshots(
  api: DashboardApi,
  onSnapshot: (snapshot: DashboardSnapshot) => void,
  onStatus: (status: StreamStatus) => void,
): Promise<void> {
  let retryMs = 2_000;
  let failures = 0;
  for (;;) {
    onStatus(failures === 0 ? 'connecting' : 'reconnecting');
    try {
      const response = await fetch('/api/events', {
        headers: { ...api.headers, accept: 'text/event-stream' },
        cache: 'no-store',
        credentials: 'omit',
      });
      if (response.status === 401) {
        onStatus('unauthorized');
        return;
      }
      if (!response.ok || response.body === null) throw new Error(`HTTP ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message = parseBlock(block);
          if (message.retry !== undefined) retryMs = message.retry;
          if (message.event === 'snapshot' && message.data !== '') {
            failures = 0;
            onStatus('live');
            onSnapshot(JSON.parse(message.data) as DashboardSnapshot);
          }
        }
      }
    } catch {
      // reconnect below
    }
    failures++;
    onStatus('reconnecting');
    const wait = Math.min(30_000, retryMs * 2 ** Math.min(failures - 1, 4));
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function parseBlock(block: string): { event: string; data: string; retry: number | undefined } {
  let event = 'message';
  const data: string[] = [];
  let retry: number | undefined;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'event') event = value;
    else if (name === 'data') data.push(value);
    else if (name === 'retry' && /^\d+$/.test(value)) retry = Number(value);
  }
  return { event, data: data.join('\n'), retry };
}
