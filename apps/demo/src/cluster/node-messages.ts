import type { ServiceCall } from './world-service.js';

/** A pid as it crosses the IPC channel (`Pid.toJSON`, revived with `Pid.from`). */
export interface PidData {
  readonly node: string;
  readonly incarnation: string;
  readonly id: number;
}

/** The names of the demo's three nodes: the planner's, and two that run workers. */
export const PLANNER_NODE = 'alpha';
export const WORKER_NODES = ['bravo', 'charlie'] as const;
export const NODE_NAMES = [PLANNER_NODE, ...WORKER_NODES] as const;

/** What the demo's driver asks of a node process, over its IPC channel. */
export type NodeCommand =
  | { readonly id: number; readonly cmd: 'connect'; readonly address: string }
  /** Worker nodes: where the world's services are (a pid on the planner's node). */
  | { readonly id: number; readonly cmd: 'configure'; readonly world: PidData }
  /** Serve this node's dashboard, showing the other nodes' beside it (their dashboards' URLs). */
  | { readonly id: number; readonly cmd: 'dashboard'; readonly peers: readonly string[] }
  /** The planner's node: run the triage; answered with its `PlannerReport`. */
  | {
      readonly id: number;
      readonly cmd: 'run';
      readonly spawners: Readonly<Record<string, PidData>>;
    }
  | { readonly id: number; readonly cmd: 'stop' };

/** A notable thing a node saw, for the story the driver tells and the moment it kills a node. */
export type ClusterEvent =
  | { readonly kind: 'peer'; readonly node: string; readonly peer: string; readonly up: boolean }
  /** The workers' supervisor (on the planner's node) had a worker started on `node`. */
  | {
      readonly kind: 'placed';
      readonly node: string;
      readonly ticket: number;
      readonly on: string;
      readonly attempt: number;
    }
  /** A worker's link broke: its supervisor saw it exit with `reason`. */
  | {
      readonly kind: 'lost';
      readonly node: string;
      readonly ticket: number;
      readonly on: string;
      readonly reason: string;
    }
  | {
      readonly kind: 'started';
      readonly node: string;
      readonly ticket: number;
      readonly resumed: boolean;
      readonly step: number;
    }
  | {
      readonly kind: 'tool';
      readonly node: string;
      readonly ticket: number;
      readonly step: number;
      readonly tool: string;
    }
  | { readonly kind: 'finished'; readonly node: string; readonly ticket: number }
  /** The planner got a ticket's answer. */
  | { readonly kind: 'resolved'; readonly node: string; readonly ticket: number }
  /** A service refused a call it had already applied (same idempotency key). */
  | {
      readonly kind: 'repeat';
      readonly node: string;
      readonly ticket: number;
      readonly tool: string;
      readonly from: string;
    }
  | { readonly kind: 'planner'; readonly node: string; readonly text: string };

/** What a node process tells the driver. */
export type NodeMessage =
  | {
      readonly type: 'listening';
      readonly address: string;
      readonly spawner: PidData | undefined;
      readonly world: PidData | undefined;
      /** Its dashboard's URL (with its token), when the run serves dashboards. */
      readonly dashboard: string | undefined;
    }
  /** It could not start (the store would not open, the port would not bind): why. */
  | { readonly type: 'failed'; readonly error: string }
  | { readonly type: 'event'; readonly event: ClusterEvent }
  | { readonly type: 'answer'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'answer'; readonly id: number; readonly ok: false; readonly error: string };

/** One effect a service applied, as its log has it. */
export interface AppliedEffect {
  readonly service: 'mail' | 'refunds' | 'tickets';
  readonly ticket: number;
  readonly key: string;
}

/** What the planner's node reports when the triage is over. */
export interface PlannerReport {
  readonly plannerAnswer: string | undefined;
  readonly plannerError: string | undefined;
  /** Tickets the planner gave up on (no answer from any worker). */
  readonly failed: readonly number[];
  /** Every call the world's services received, in order: the outside world's own log. */
  readonly calls: readonly ServiceCall[];
  readonly effects: readonly AppliedEffect[];
  /** Where each ticket's worker was started, in order (a restart adds one). */
  readonly placements: readonly { readonly ticket: number; readonly on: string }[];
}

/** The ticket a worker thread works on (`<run>:ticket-<n>`). */
export function ticketOf(threadId: unknown): number | undefined {
  const m = typeof threadId === 'string' ? /:ticket-(\d+)$/.exec(threadId) : null;
  return m === null ? undefined : Number(m[1]);
}

export function threadOf(runId: string, ticket: number): string {
  return `${runId}:ticket-${ticket}`;
}
