/*
 * The dashboard's wire format: plain JSON data the server sends and the browser renders. The
 * browser imports these types too, so both sides read one definition. Every string that an
 * agent, a model or a tool wrote travels here as data; the page renders it as text.
 */

/** The agent lifecycle states, as the agent runtime's statechart names them. */
export const LIFECYCLE_STATES = [
  'idle',
  'planning',
  'degraded',
  'acting',
  'awaiting_approval',
  'compacting',
  'done',
  'failed',
] as const;

export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

export type ProcessKind = 'supervisor' | 'agent' | 'process';

/** An agent process, as its events tell it. */
export interface AgentView {
  /** The agent's type (its definition's name). */
  readonly name: string;
  readonly state: LifecycleState;
  /** 0 on its primary model; n on its n-th fallback. */
  readonly level: number;
  readonly threadId: string | undefined;
  readonly step: number;
  /** Tokens its model calls spent (input and output), since the dashboard started. */
  readonly tokens: number;
}

/**
 * One entry of the supervision tree. A supervised child keeps its `key` across restarts (the
 * supervisor's key and the child's id), so the tree shows one child restarted n times, not n
 * processes; `pid` is its current process.
 */
export interface ProcessView {
  readonly key: string;
  /** The key of the entry it hangs under; absent at a root of its node. */
  readonly parent: string | undefined;
  readonly node: string;
  /** The pid as warden prints it: `<node.id>`. */
  readonly pid: string;
  readonly name: string | undefined;
  /** Its id under its supervisor. */
  readonly childId: string | undefined;
  readonly kind: ProcessKind;
  readonly alive: boolean;
  /** Times its supervisor restarted it. */
  readonly restarts: number;
  /** Its last exit reason, formatted (`killed`, `{error, Error: boom}`). */
  readonly exit: string | undefined;
  /** Messages waiting in its mailbox now (0 once exited). */
  readonly mailbox: number;
  readonly agent: AgentView | undefined;
}

export type BreakerStateName = 'closed' | 'half_open' | 'open' | 'isolated';

export interface BreakerView {
  readonly name: string;
  readonly state: BreakerStateName;
  /** Node-clock time of the last change. */
  readonly since: number;
  readonly trips: number;
}

/** A degradation ladder (`degrade.level_changed`) and the rung serving now. */
export interface LadderView {
  readonly source: string;
  /** The rung serving now; `primary` for the top one. */
  readonly level: string;
  readonly since: number;
  readonly moves: number;
}

/** Counts per time bucket, oldest first; the last bucket is the one `time` falls in. */
export interface SeriesView {
  readonly bucketMs: number;
  /** Node-clock start of the first bucket. */
  readonly start: number;
  readonly values: readonly number[];
}

export interface Totals {
  readonly restarts: number;
  readonly crashes: number;
  readonly escalations: number;
  readonly tokens: number;
  readonly steps: number;
  readonly toolCalls: number;
  readonly mailboxOverflows: number;
}

/** A message the node could not deliver, or work a dead-letter queue holds. */
export interface DeadLetterView {
  /** `node` for the node's own dead letters, else the queue's name. */
  readonly source: string;
  readonly id: string | undefined;
  readonly time: number;
  readonly reason: string;
  /** Where it was going (node dead letters). */
  readonly to: string | undefined;
  /** The message or the input, as bounded JSON text. */
  readonly summary: string;
  readonly attempts: number | undefined;
}

/** One node's state: its tree and everything counted on it. */
export interface NodeView {
  readonly name: string;
  readonly incarnation: string;
  /** The node clock's `now()` when the view was taken. */
  readonly time: number;
  /** False for a peer whose last fetch failed (its last view is shown). */
  readonly reachable: boolean;
  /** Why the last fetch of a peer failed. */
  readonly error: string | undefined;
  /** Nodes this one is connected to. */
  readonly connected: readonly string[];
  readonly processes: readonly ProcessView[];
  /** Live processes left out past the view's bound. */
  readonly truncated: number;
  readonly breakers: readonly BreakerView[];
  readonly ladders: readonly LadderView[];
  readonly series: { readonly restarts: SeriesView; readonly tokens: SeriesView };
  readonly totals: Totals;
  readonly deadLetters: {
    readonly count: number;
    readonly byReason: Readonly<Record<string, number>>;
    readonly recent: readonly DeadLetterView[];
  };
}

/** A call waiting for a person. */
export interface ApprovalView {
  readonly id: string;
  readonly agent: string;
  readonly threadId: string;
  readonly tool: string;
  readonly effect: string;
  /** The validated arguments as bounded JSON text. */
  readonly input: string;
  readonly resource: string;
  readonly rule: string;
  readonly requestedAt: number;
  readonly deadline: number;
}

export interface QueueView {
  readonly name: string;
  readonly recorded: number;
  readonly replayed: number;
  readonly overflowed: number;
  readonly entries: readonly DeadLetterView[];
}

/** What `GET /api/snapshot` answers and each SSE `snapshot` event carries. */
export interface DashboardSnapshot {
  /** Grows by one per snapshot sent: the page ignores an older one arriving late. */
  readonly version: number;
  /** The local node first, then its peers. */
  readonly nodes: readonly NodeView[];
  readonly approvals: readonly ApprovalView[];
  /** Whether approvals can be answered here (an `ApprovalDesk` was given). */
  readonly approvalsEnabled: boolean;
  readonly queues: readonly QueueView[];
}

export type TraceItem =
  | {
      readonly kind: 'task';
      readonly time: number;
      readonly threadId: string;
      readonly resumed: boolean;
    }
  | {
      readonly kind: 'model';
      readonly time: number;
      readonly step: number;
      readonly model: string;
      readonly inputTokens: number;
      readonly outputTokens: number;
      readonly finishReason: string;
      readonly toolCalls: number;
    }
  | {
      readonly kind: 'tool';
      readonly time: number;
      readonly step: number;
      readonly tool: string;
      /** `ok` or the error code the call ended with. */
      readonly outcome: string;
    }
  | { readonly kind: 'answer'; readonly time: number; readonly text: string }
  | { readonly kind: 'note'; readonly time: number; readonly event: string; readonly text: string }
  | { readonly kind: 'exit'; readonly time: number; readonly reason: string };

/** A journal entry of the traced agent's thread: where each tool call stands. */
export interface JournalView {
  readonly tool: string;
  readonly effect: string;
  readonly state: string;
  readonly decidedBy: string | undefined;
  readonly reason: string | undefined;
  readonly at: number;
}

/** What `GET /api/trace?key=` answers: the last steps of one agent. */
export interface TraceView {
  readonly key: string;
  readonly node: string;
  readonly pid: string;
  readonly agent: string | undefined;
  readonly threadId: string | undefined;
  readonly items: readonly TraceItem[];
  /** Empty unless the dashboard was given the agent's `EffectJournal`. */
  readonly journal: readonly JournalView[];
}

/** The body of every error answer of the API. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}
