import type { BudgetSpent } from '../../agent/budget.js';
import type { Approval } from '../../governance/approval.js';
import type { NewEffect } from '../../governance/effect-journal.js';
import type { Message } from '../../model/message.js';
import type { Checkpoint } from '../checkpoint.js';

export function spentAt(step: number): BudgetSpent {
  return {
    steps: step,
    inputTokens: 1_000 * step,
    outputTokens: 100 * step,
    costUsd: 0.0125 * step,
    wallMs: 1_500 * step,
    toolCalls: step,
    subagents: 0,
    unpriced: step > 2 ? ['local-model'] : [],
  };
}

export function say(role: Message['role'], text: string): Message {
  return { role, content: [{ type: 'text', text }] };
}

/** A checkpoint of `threadId` at `version` (its step the version unless given). */
export function checkpointOf(
  threadId: string,
  version: number,
  messages: readonly Message[],
  extra: Partial<Omit<Checkpoint, 'threadId' | 'version' | 'messages'>> = {},
): Checkpoint {
  const step = extra.step ?? version;
  return {
    threadId,
    version,
    agent: 'writer',
    task: 'write the report',
    step,
    state: 'planning',
    messages,
    spent: spentAt(step),
    ...extra,
  };
}

export function newEffect(key: string, threadId = 't', at = 1_000): NewEffect {
  return {
    key,
    agent: 'mailer',
    threadId,
    tool: 'send_mail',
    effect: 'irreversible',
    argsHash: 'a1'.repeat(32),
    scopes: ['mail:ada', 'mail:bob'],
    at,
  };
}

export function approvalOf(nonce: string, extra: Partial<Approval> = {}): Approval {
  return {
    requestId: `req-${nonce}`,
    nonce,
    approver: 'person:grace',
    expiresAt: 60_000,
    agent: 'mailer',
    tool: 'send_mail',
    argsHash: 'b2'.repeat(32),
    resource: 'mail:ada',
    ...extra,
  };
}
