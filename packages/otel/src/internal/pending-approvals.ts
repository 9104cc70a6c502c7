import type { Pid } from '@warden/core';
import { text } from './attributes.js';

type Fields = Readonly<Record<string, unknown>>;

/** Waiting calls, and agent-tool series, remembered at most. */
const REMEMBERED = 4096;

/**
 * The tool calls waiting for a person on a node, for the `warden.agent.approvals.pending` gauge:
 * a call starts waiting at `governance.approval_requested` and stops at its
 * `governance.approval_decided`, or when its process ends (its request is withdrawn with it,
 * and a dead process publishes no answer).
 */
export class PendingApprovals {
  /** By process, by journal key: the agent-tool series of the call. */
  readonly #waiting = new Map<string, Map<string, string>>();
  /** Every series that has waited: reported as 0 once none waits (an unreported one keeps its last value). */
  readonly #seen = new Set<string>();

  requested(pid: Pid | undefined, event: Fields): void {
    if (pid === undefined) return;
    let calls = this.#waiting.get(pid.key);
    if (calls === undefined) {
      if (this.#waiting.size >= REMEMBERED) return;
      calls = new Map();
      this.#waiting.set(pid.key, calls);
    }
    const series = `${text(event.agent, '')}\u0000${text(event.tool, '')}`;
    calls.set(text(event.key, ''), series);
    if (this.#seen.size < REMEMBERED) this.#seen.add(series);
  }

  decided(pid: Pid | undefined, event: Fields): void {
    if (pid === undefined) return;
    const calls = this.#waiting.get(pid.key);
    calls?.delete(text(event.key, ''));
    if (calls?.size === 0) this.#waiting.delete(pid.key);
  }

  exited(pid: Pid): void {
    this.#waiting.delete(pid.key);
  }

  /** Calls waiting now, by agent and tool. */
  counts(): { agent: string; tool: string; waiting: number }[] {
    const counts = new Map<string, number>();
    for (const series of this.#seen) counts.set(series, 0);
    for (const calls of this.#waiting.values()) {
      for (const series of calls.values()) counts.set(series, (counts.get(series) ?? 0) + 1);
    }
    return [...counts].map(([series, waiting]) => {
      const [agent, tool] = series.split('\u0000') as [string, string];
      return { agent, tool, waiting };
    });
  }
}
