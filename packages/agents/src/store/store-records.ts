import type { DeadLetterEntry, QueuedRequest } from '@warden/resilience';
import type { Approval } from '../governance/approval.js';
import type { AuditEntry } from '../governance/audit-log.js';
import type { EffectEntry } from '../governance/effect-journal.js';
import type { Message } from '../model/message.js';
import type { Checkpoint } from './checkpoint.js';
import type { KeyLease } from './lease-store.js';
import type { MemoryEntry } from './memory-store.js';

/**
 * The shape of every record as a store hands it back: the fields of its interface, in one order,
 * each present (an optional one as `undefined`) except where the interface makes a field
 * optional (`Checkpoint.result`). A store that reads a record out of JSON, which drops
 * `undefined` members, passes it through these functions so that every store, in memory or in a
 * database, gives back values that compare equal field for field. Extra fields are left out.
 */
export function checkpointRecord(
  fields: Omit<Checkpoint, 'messages'>,
  messages: readonly Message[],
): Checkpoint {
  return {
    threadId: fields.threadId,
    version: fields.version,
    agent: fields.agent,
    task: fields.task,
    step: fields.step,
    state: fields.state,
    messages,
    spent: fields.spent,
    ...(fields.result === undefined ? {} : { result: fields.result }),
  };
}

export function effectEntryRecord(e: EffectEntry): EffectEntry {
  return {
    key: e.key,
    version: e.version,
    state: e.state,
    agent: e.agent,
    threadId: e.threadId,
    tool: e.tool,
    effect: e.effect,
    argsHash: e.argsHash,
    scopes: e.scopes,
    at: e.at,
    decidedBy: e.decidedBy,
    approval: e.approval,
    reason: e.reason,
    result: e.result,
  };
}

export function auditEntryRecord(e: AuditEntry): AuditEntry {
  return {
    kind: e.kind,
    agent: e.agent,
    threadId: e.threadId,
    tool: e.tool,
    key: e.key,
    argsHash: e.argsHash,
    by: e.by,
    detail: e.detail,
    seq: e.seq,
    at: e.at,
    prev: e.prev,
    hash: e.hash,
  };
}

export function approvalRecord(a: Approval): Approval {
  return {
    requestId: a.requestId,
    nonce: a.nonce,
    approver: a.approver,
    expiresAt: a.expiresAt,
    agent: a.agent,
    tool: a.tool,
    argsHash: a.argsHash,
    resource: a.resource,
  };
}

export function memoryEntryRecord(e: MemoryEntry): MemoryEntry {
  return { threadId: e.threadId, step: e.step, text: e.text };
}

export function deadLetterRecord<I>(e: DeadLetterEntry<I>): DeadLetterEntry<I> {
  return {
    id: e.id,
    traceId: e.traceId,
    input: e.input,
    reason: e.reason,
    code: e.code,
    attempts: e.attempts,
    replays: e.replays,
    recordedAt: e.recordedAt,
    history: e.history,
  };
}

export function queuedRequestRecord<R>(q: QueuedRequest<R>): QueuedRequest<R> {
  return { id: q.id, request: q.request, at: q.at, replays: q.replays };
}

export function keyLeaseRecord(l: KeyLease): KeyLease {
  return { key: l.key, owner: l.owner, token: l.token, expiresAt: l.expiresAt, data: l.data };
}
