import type { Address, CallOptions, Node, Pid } from '@warden/core';
import type { AgentLifecycleState } from '@warden/machines';
import type { AgentResult } from '../store/checkpoint.js';
import type { BudgetSpent } from './budget.js';

/**
 * A task for an agent. By `call`, the result is the call's answer; by `cast` with `replyTo`, it
 * is sent there as an `AgentReply`. Giving a `threadId` makes the task resumable: asking again
 * with the same id continues from the last checkpoint (or answers the finished result), never
 * starts over.
 */
export interface AgentTask {
  readonly task: string;
  readonly threadId?: string;
  readonly replyTo?: Pid;
  /** Echoed in the `AgentReply`, to match answers to casts. */
  readonly tag?: unknown;
}

export interface AgentReply {
  readonly $agent: 'reply';
  readonly tag: unknown;
  readonly result: AgentResult;
}

export interface AgentStatus {
  readonly agent: string;
  readonly state: AgentLifecycleState;
  /** 0 when healthy; which fallback serves (1 = the first) when degraded. */
  readonly level: number;
  readonly threadId: string | undefined;
  readonly step: number;
  /** Tokens in the context now, by warden's own count. */
  readonly contextTokens: number;
  /** What the provider counted beyond warden's count at the last call (the count's measured error). */
  readonly uncountedTokens: number;
  readonly spent: BudgetSpent | undefined;
  /** Spawns refused for a ceiling, since the agent started. */
  readonly refusedSpawns: number;
}

export const STATUS = Object.freeze({ $agent: 'status' as const });
export const CANCEL = Object.freeze({ $agent: 'cancel' as const });
/** Waits for the current task's result (how a joined subagent is awaited). */
export const AWAIT = Object.freeze({ $agent: 'await' as const });

export type AgentControl = typeof STATUS | typeof CANCEL | typeof AWAIT;

export function isAgentControl(value: unknown): value is AgentControl {
  const verb = (value as { $agent?: unknown } | null)?.$agent;
  return verb === 'status' || verb === 'cancel' || verb === 'await';
}

export function isAgentTask(value: unknown): value is AgentTask {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.task === 'string' && (v.threadId === undefined || typeof v.threadId === 'string');
}

/** Runs a task on an agent and waits for its result (default timeout 10 minutes). */
export function runTask(
  node: Node,
  agent: Address,
  task: string | AgentTask,
  options: CallOptions = {},
): Promise<AgentResult> {
  const request = typeof task === 'string' ? { task } : task;
  return node.call<AgentResult>(agent, request, { timeout: 600_000, ...options });
}

export function agentStatus(
  node: Node,
  agent: Address,
  options?: CallOptions,
): Promise<AgentStatus> {
  return node.call<AgentStatus>(agent, STATUS, options);
}

/** Cancels the task in flight; resolves whether there was one. */
export function cancelTask(node: Node, agent: Address, options?: CallOptions): Promise<boolean> {
  return node.call<boolean>(agent, CANCEL, options);
}
