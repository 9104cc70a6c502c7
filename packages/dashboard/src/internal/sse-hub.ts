import type { Clock, TimerHandle } from '@warden/core';
import type { DashboardState } from './dashboard-state.js';
import { SseClient, type SseSink, sseEvent } from './sse-client.js';

export interface SseHubLimits {
  readonly maxClients: number;
  readonly clientQueue: number;
  readonly intervalMs: number;
  readonly heartbeatMs: number;
}

/** How long a page waits before it reconnects (sent as the stream's `retry:`). */
const RETRY_MS = 2_000;

/**
 * The live connections. Every `intervalMs` of the node's clock, while anyone listens, it asks the
 * state whether something changed and, if so, sends every client the same new snapshot (built
 * and serialised once); a connection that heard nothing for `heartbeatMs` gets a comment line,
 * so a proxy or the page can tell a quiet node from a dead connection. No timer runs while
 * nobody listens.
 */
export class SseHub {
  readonly #clients = new Set<SseClient>();
  #timer: TimerHandle | undefined;
  #lastSent = 0;
  #dropped = 0;
  #closed = false;

  constructor(
    readonly clock: Clock,
    readonly state: DashboardState,
    readonly limits: SseHubLimits,
  ) {}

  get size(): number {
    return this.#clients.size;
  }

  /** Clients dropped because they did not read. */
  get dropped(): number {
    return this.#dropped;
  }

  get full(): boolean {
    return this.#clients.size >= this.limits.maxClients;
  }

  /** Registers a connection and sends it the current snapshot. */
  async add(sink: SseSink): Promise<SseClient> {
    const client = new SseClient(sink, this.limits.clientQueue, (dropped) => {
      this.#dropped++;
      this.remove(dropped);
    });
    this.#clients.add(client);
    client.send(`retry: ${RETRY_MS}\n\n`);
    try {
      client.send(sseEvent('snapshot', JSON.stringify(await this.state.snapshot())));
    } catch (error) {
      // A source that failed (a dead-letter store): this connection ends, the others go on.
      this.remove(client);
      throw error;
    }
    this.#lastSent = this.clock.now();
    if (this.#timer === undefined && !this.#closed) this.#schedule();
    return client;
  }

  remove(client: SseClient): void {
    this.#clients.delete(client);
    client.close();
    if (this.#clients.size === 0 && this.#timer !== undefined) {
      this.clock.clearTimer(this.#timer);
      this.#timer = undefined;
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    for (const client of this.#clients) client.close();
    this.#clients.clear();
  }

  #schedule(): void {
    this.#timer = this.clock.setTimer(this.limits.intervalMs, () => {
      this.#tick().then(
        () => {
          if (!this.#closed && this.#clients.size > 0) this.#schedule();
          else this.#timer = undefined;
        },
        () => {
          if (!this.#closed && this.#clients.size > 0) this.#schedule();
          else this.#timer = undefined;
        },
      );
    });
  }

  async #tick(): Promise<void> {
    const now = this.clock.now();
    if (this.state.changed()) {
      const message = sseEvent('snapshot', JSON.stringify(await this.state.snapshot()));
      this.#broadcast(message);
      this.#lastSent = this.clock.now();
    } else if (now - this.#lastSent >= this.limits.heartbeatMs) {
      this.#broadcast(': heartbeat\n\n');
      this.#lastSent = now;
    }
  }

  #broadcast(message: string): void {
    for (const client of [...this.#clients]) client.send(message);
  }
}
