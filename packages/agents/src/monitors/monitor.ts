import type { Node, NodeEvent, Pid } from '@warden/core';
import type { AnomalyAction } from './anomaly-action.js';

/** One figure a monitor watches, against the threshold that applies to it. */
export interface MonitorReading {
  /** What the figure is about: an agent type, a model, a process, a tool call. */
  readonly key: string;
  readonly value: number;
  /** Fires when `value` is over it. */
  readonly threshold: number;
  /** The supervisor of the subtree the figure is about, when there is one (for `stop-subtree`). */
  readonly subtree?: Pid;
}

/** Where a monitor gets its figures: the node's events, a sample on the clock, or a push. */
export interface Monitor {
  readonly name: string;
  readonly action: AnomalyAction;
  /** Every event of the node; returns the readings the event changed. */
  observe?(event: NodeEvent, now: number): readonly MonitorReading[];
  /** Sampled this often on the node's clock (what no event announces: mailbox depths). */
  readonly sampleEveryMs?: number;
  sample?(node: Node, now: number): readonly MonitorReading[];
  /**
   * Called once when the monitors start, before any event: `report` takes readings that come
   * from outside the event stream (a wrapped tool) or later than their event (an answer the
   * monitor had to ask for). Returns a detach.
   */
  attach?(report: (readings: readonly MonitorReading[]) => void, node: Node): () => void;
}

/** What `monitor.fired` carries on the node's stream, and `Monitors.firings` keeps. */
export interface MonitorFiring {
  readonly type: 'monitor.fired';
  readonly time: number;
  readonly monitor: string;
  readonly key: string;
  readonly value: number;
  readonly threshold: number;
  readonly action: AnomalyAction['kind'];
  readonly subtree?: Pid;
}
