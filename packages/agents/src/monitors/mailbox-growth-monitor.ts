import type { Node, Pid } from '@warden/core';
import { checkInt } from '../model/policy/option-checks.js';
import type { AnomalyAction } from './anomaly-action.js';
import type { Monitor, MonitorReading } from './monitor.js';

export const MAILBOX_GROWTH_DEFAULTS = Object.freeze({ sampleEveryMs: 10_000, growthSamples: 3 });

export interface MailboxGrowthOptions {
  /** A mailbox deeper than this fires at once. */
  readonly maxDepth: number;
  /**
   * A mailbox that grew at each of this many samples in a row fires too (key `<pid>:growth`),
   * while still under `maxDepth`: a consumer falling behind, caught before its bound.
   */
  readonly growthSamples?: number;
  readonly sampleEveryMs?: number;
  readonly action: AnomalyAction;
  readonly name?: string;
}

/**
 * Mailbox depths, sampled on the node's clock from `node.processInfo` (no event announces a
 * message waiting). Keyed by registered name when the process has one, else by pid.
 */
export function mailboxGrowthMonitor(options: MailboxGrowthOptions): Monitor {
  const maxDepth = checkInt('maxDepth', options?.maxDepth, 0);
  const growthSamples = checkInt(
    'growthSamples',
    options.growthSamples ?? MAILBOX_GROWTH_DEFAULTS.growthSamples,
    1,
  );
  const sampleEveryMs = checkInt(
    'sampleEveryMs',
    options.sampleEveryMs ?? MAILBOX_GROWTH_DEFAULTS.sampleEveryMs,
    1,
  );
  const last = new Map<string, { depth: number; rising: number }>();
  return {
    name: options.name ?? 'mailbox-growth',
    action: options.action,
    sampleEveryMs,
    sample(node: Node): readonly MonitorReading[] {
      const readings: MonitorReading[] = [];
      const seen = new Set<string>();
      for (const pid of node.processes()) {
        const info = node.processInfo(pid);
        if (info === undefined) continue;
        const key = info.name ?? String(pid);
        seen.add(key);
        const before = last.get(key);
        const depth = info.mailboxSize;
        const rising = before !== undefined && depth > before.depth ? before.rising + 1 : 0;
        last.set(key, { depth, rising });
        if (depth > 0 || before !== undefined) {
          readings.push({ key, value: depth, threshold: maxDepth, ...subtree(info.parent) });
          readings.push({
            key: `${key}:growth`,
            value: rising,
            threshold: growthSamples - 1,
            ...subtree(info.parent),
          });
        }
      }
      for (const key of last.keys()) if (!seen.has(key)) last.delete(key);
      return readings;
    },
  };
}

function subtree(parent: Pid | undefined): { subtree?: Pid } {
  return parent === undefined ? {} : { subtree: parent };
}
