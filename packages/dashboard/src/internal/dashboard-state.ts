import type { Node } from '@warden/core';
import { DashboardModel, nodeLetterView } from '../dashboard-model.js';
import type { ResolvedDashboardOptions } from '../dashboard-options.js';
import type { DashboardPeer } from '../dashboard-peer.js';
import type {
  ApprovalView,
  DashboardSnapshot,
  JournalView,
  NodeView,
  QueueView,
  TraceView,
} from '../dashboard-snapshot.js';
import { boundedText } from './bounded-text.js';
import { PeerWatch } from './peer-watch.js';

/** How much of a pending call's arguments the page shows. */
const INPUT_CHARS = 2_000;
const LETTER_CHARS = 300;
/** Journal entries shown with a trace, most recent. */
const JOURNAL_ROWS = 30;

/**
 * The dashboard's side of a node: the model fed by the node's events (subscribed from the start,
 * seeded with the processes already running), and the views built from it, the approval desk,
 * the journal and the dead-letter queues. `changed()` says whether a push is due: an event
 * arrived, or something that publishes no event (a mailbox, a pending approval, a queue) moved.
 */
export class DashboardState {
  readonly model: DashboardModel;
  readonly peers: PeerWatch;
  #version = 0;
  #dirty = true;
  #fingerprint = '';
  readonly #unsubscribe: () => void;

  constructor(
    readonly node: Node,
    readonly options: ResolvedDashboardOptions,
  ) {
    this.model = new DashboardModel(node.name, options);
    this.#unsubscribe = node.inspect((event) => {
      if (this.model.onEvent(event)) this.#dirty = true;
    });
    this.model.seed(
      node.processes().flatMap((pid) => {
        const info = node.processInfo(pid);
        return info === undefined ? [] : [info];
      }),
    );
    this.peers = new PeerWatch(node.clock, options.peers as DashboardPeer[], options, () => {
      this.#dirty = true;
    });
  }

  markChanged(): void {
    this.#dirty = true;
  }

  /** Whether something shown changed since the last call (and forgets it). */
  changed(): boolean {
    const fingerprint = this.#fingerprintNow();
    const changed = this.#dirty || fingerprint !== this.#fingerprint;
    this.#dirty = false;
    this.#fingerprint = fingerprint;
    return changed;
  }

  nodeView(): NodeView {
    const { node, options } = this;
    const letters = node.deadLetters;
    const waiting = new Set(
      (options.approvals?.pending() ?? []).map((r) => `${r.agent}\u0000${r.threadId}`),
    );
    return this.model.view(node.clock.now(), {
      incarnation: node.incarnation,
      mailboxOf: (pid) => node.processInfo(pid)?.mailboxSize,
      waiting,
      connected: node.stopped ? [] : node.nodes(),
      deadLetters: {
        count: letters.count,
        byReason: Object.fromEntries(letters.byReason()),
        recent:
          options.deadLetters === 0
            ? []
            : letters.recent().slice(-options.deadLetters).map(nodeLetterView),
      },
    });
  }

  async snapshot(): Promise<DashboardSnapshot> {
    const queues = await this.#queues();
    return {
      version: ++this.#version,
      nodes: [this.nodeView(), ...this.peers.views()],
      approvals: this.#approvals(),
      approvalsEnabled: this.options.approvals !== undefined,
      queues,
    };
  }

  async trace(key: string): Promise<TraceView | undefined> {
    const trace = this.model.trace(key);
    if (trace === undefined) return undefined;
    let journal: JournalView[] = [];
    const source = this.options.journal;
    if (source !== undefined && trace.threadId !== undefined) {
      const entries = await source.list(trace.threadId);
      journal = entries.slice(-JOURNAL_ROWS).map((e) => ({
        tool: e.tool,
        effect: e.effect,
        state: e.state,
        decidedBy: e.decidedBy,
        reason: e.reason === undefined ? undefined : boundedText(e.reason, LETTER_CHARS),
        at: e.at,
      }));
    }
    return { ...trace, journal };
  }

  stop(): void {
    this.#unsubscribe();
    this.peers.stop();
  }

  #approvals(): ApprovalView[] {
    return (this.options.approvals?.pending() ?? []).map((r) => ({
      id: r.id,
      agent: r.agent,
      threadId: r.threadId,
      tool: r.tool,
      effect: r.effect,
      input: boundedText(r.input, INPUT_CHARS),
      resource: r.resource,
      rule: r.rule,
      requestedAt: r.requestedAt,
      deadline: r.deadline,
    }));
  }

  async #queues(): Promise<QueueView[]> {
    const limit = this.options.deadLetters;
    const views: QueueView[] = [];
    for (const [name, queue] of Object.entries(this.options.deadLetterQueues)) {
      const entries = limit === 0 ? [] : (await queue.list()).slice(-limit);
      views.push({
        name,
        recorded: queue.stats.recorded,
        replayed: queue.stats.replayed,
        overflowed: queue.stats.overflowed,
        entries: entries.map((e) => ({
          source: name,
          id: e.id,
          time: e.recordedAt,
          reason: boundedText(
            e.code === undefined ? e.reason : `${e.code}: ${e.reason}`,
            LETTER_CHARS,
          ),
          to: undefined,
          summary: boundedText(e.input, LETTER_CHARS),
          attempts: e.attempts,
        })),
      });
    }
    return views;
  }

  /** What changes without an event: mailboxes, pending approvals, dead letters, queues. */
  #fingerprintNow(): string {
    const { node, options } = this;
    let mail = 0;
    if (!node.stopped) {
      // Weighted by position, so that one mailbox filling while another empties still counts.
      for (const pid of this.model.livePids()) {
        mail = (mail * 31 + (node.processInfo(pid)?.mailboxSize ?? 0)) % 2_147_483_647;
      }
    }
    const pending = (options.approvals?.pending() ?? []).map((r) => r.id).join(',');
    let queued = 0;
    for (const queue of Object.values(options.deadLetterQueues)) {
      const s = queue.stats;
      queued += s.recorded + s.replayed + s.replayFailed + s.purged + s.overflowed;
    }
    return `${mail}|${pending}|${node.deadLetters.count}|${queued}`;
  }
}
