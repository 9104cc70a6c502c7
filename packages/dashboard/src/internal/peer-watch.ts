import type { Clock, TimerHandle } from '@warden/core';
import type { DashboardPeer } from '../dashboard-peer.js';
import type { NodeView } from '../dashboard-snapshot.js';
import { boundedText } from './bounded-text.js';

interface PeerState {
  view: NodeView | undefined;
  error: string | undefined;
}

/**
 * Fetches each peer's view every `peerIntervalMs` on the node's clock, one fetch per peer at a
 * time, each given up after `peerTimeoutMs`. A peer that fails keeps its last view, marked
 * unreachable with the reason: a node that went down stays on the page as down.
 */
export class PeerWatch {
  readonly #states: PeerState[];
  #timer: TimerHandle | undefined;
  #stopped = false;
  #polling: Promise<void> | undefined;

  constructor(
    readonly clock: Clock,
    readonly peers: readonly DashboardPeer[],
    readonly limits: { readonly peerIntervalMs: number; readonly peerTimeoutMs: number },
    readonly onChange: () => void,
  ) {
    this.#states = peers.map(() => ({ view: undefined, error: 'not fetched yet' }));
    if (peers.length > 0) this.#schedule(0);
  }

  views(): NodeView[] {
    return this.peers.map((peer, i) => {
      const state = this.#states[i] as PeerState;
      const reachable = state.error === undefined;
      if (state.view !== undefined) return { ...state.view, reachable, error: state.error };
      return emptyView(peer.name, state.error);
    });
  }

  /** Fetches every peer once (a poll already running is joined). */
  poll(): Promise<void> {
    this.#polling ??= Promise.all(this.peers.map((peer, i) => this.#fetch(peer, i))).then(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer);
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = this.clock.setTimer(delay, () => {
      void this.poll().then(() => this.#schedule(this.limits.peerIntervalMs));
    });
  }

  async #fetch(peer: DashboardPeer, i: number): Promise<void> {
    const state = this.#states[i] as PeerState;
    const controller = new AbortController();
    const timer = this.clock.setTimer(this.limits.peerTimeoutMs, () =>
      controller.abort(new Error(`no answer in ${this.limits.peerTimeoutMs} ms`)),
    );
    try {
      // Raced with the abort: a peer that ignores its signal cannot hold the watch.
      state.view = await Promise.race([
        peer.fetch(controller.signal),
        rejectOnAbort(controller.signal),
      ]);
      state.error = undefined;
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      state.error = boundedText(reason instanceof Error ? reason.message : reason, 300);
    } finally {
      this.clock.clearTimer(timer);
    }
    if (!this.#stopped) this.onChange();
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function emptyView(name: string, error: string | undefined): NodeView {
  const series = { bucketMs: 1, start: 0, values: [] };
  return {
    name,
    incarnation: '',
    time: 0,
    reachable: false,
    error,
    connected: [],
    processes: [],
    truncated: 0,
    breakers: [],
    ladders: [],
    series: { restarts: series, tokens: series },
    totals: {
      restarts: 0,
      crashes: 0,
      escalations: 0,
      tokens: 0,
      steps: 0,
      toolCalls: 0,
      mailboxOverflows: 0,
    },
    deadLetters: { count: 0, byReason: {}, recent: [] },
  };
}
