/**
 * Everything compared, each in the workloads it can express: the actor runtimes, the circuit
 * breakers of the breaker workload (cockatiel, opossum), the official SDKs whose stream
 * parsing the model clients are compared with (openai, @anthropic-ai/sdk), and the agent
 * frameworks of the agent workloads (LangGraph.js, the OpenAI Agents SDK).
 */
export type ContenderName =
  | ActorRuntime
  | 'cockatiel'
  | 'opossum'
  | 'openai-sdk'
  | 'anthropic-sdk'
  | 'langgraph'
  | 'openai-agents';

/** The actor runtimes: what the actor workloads (ping-pong to Savina) compare. */
export type ActorRuntime = 'raw' | 'warden' | 'xstate' | 'nact';

export const CONTENDERS: readonly ContenderName[] = [
  'raw',
  'warden',
  'xstate',
  'nact',
  'cockatiel',
  'opossum',
  'openai-sdk',
  'anthropic-sdk',
  'langgraph',
  'openai-agents',
];

/** What one measured run reports: named values, e.g. `{ ms: 81.2 }` or `{ p50: 41, p99: 180 }`. */
export type Sample = Readonly<Record<string, number>>;

/**
 * `ms`, `µs` and `ns` are costs in time; `B/actor` is retained heap; `timers/call` counts the
 * timers armed per call. Lower is better for all.
 */
export type Unit = 'ms' | 'µs' | 'ns' | 'B/actor' | 'timers/call';

export interface Metric {
  readonly key: string;
  readonly unit: Unit;
  /** Shown in tables, e.g. `p99`; default the key. */
  readonly label?: string;
}

/**
 * One measured scenario at one size. Every contender that can express it gets a `run`, which
 * builds its system, does the work once, checks the result (throwing if it is wrong) and returns
 * what it measured with the real clock. Setup outside the measured region is not counted.
 */
export interface Case {
  /** Unique in the suite: `<workload>` or `<workload>/<variant>`, e.g. `spawn-churn/all-live`. */
  readonly id: string;
  /** The sizes actually used at this scale, for the report. */
  readonly params: string;
  /** The first metric is the one ratios and targets use. */
  readonly metrics: readonly Metric[];
  /** Operations per run (deliveries, spawns), to report a rate; omitted when no rate applies. */
  readonly ops?: number;
  /** Recorded runs when the command line does not say (heavy cases use fewer). Default 5. */
  readonly runs?: number;
  /** The contender ratios are taken against (the "vs" column); default `raw`. */
  readonly baseline?: ContenderName;
  readonly run: Partial<Record<ContenderName, () => Promise<Sample>>>;
}

export interface Workload {
  /** Also the first segment of its case ids. */
  readonly name: string;
  readonly title: string;
  /** Builds the cases at `scale` (1 = the sizes the targets are set at); nothing runs yet. */
  cases(scale: number): Case[];
}

/** `n * scale`, rounded, and never below `min`. */
export function scaled(n: number, scale: number, min = 1): number {
  return Math.max(min, Math.round(n * scale));
}

export const TIME_MS: readonly Metric[] = [{ key: 'ms', unit: 'ms', label: 'time' }];

/** A promise with its resolve and reject at hand (Node 20 has no Promise.withResolvers). */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves after the event loop has gone round once (pending spawns have run their init). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
