import { APPROVAL_CASES } from './approval-cases.js';
import { AUDIT_CASES } from './audit-cases.js';
import { CHECKPOINT_CASES } from './checkpoint-cases.js';
import { CLOSE_CASES } from './close-cases.js';
import type { ConformanceCase } from './conformance-case.js';
import { HELD_WORK_CASES } from './dead-letter-cases.js';
import { INPUT_CASES } from './input-cases.js';
import { JOURNAL_CALL_CASES } from './journal-call-cases.js';
import { JOURNAL_CASES } from './journal-cases.js';
import { LEASE_CASES } from './lease-cases.js';
import { MEMORY_CASES } from './memory-cases.js';
import { RETENTION_CASES } from './retention-cases.js';

/**
 * Every behaviour an `AgentStore` must have, as cases any test runner can run against a factory
 * of fresh stores. The in-memory, SQLite and PostgreSQL stores all pass the same list, so what
 * an agent system does on one it does on the others.
 *
 * @example
 * for (const c of agentStoreConformance()) it(c.name, () => c.run(async () => new MemoryAgentStore()));
 */
export function agentStoreConformance(): readonly ConformanceCase[] {
  return [
    ...CHECKPOINT_CASES,
    ...JOURNAL_CASES,
    ...JOURNAL_CALL_CASES,
    ...APPROVAL_CASES,
    ...AUDIT_CASES,
    ...MEMORY_CASES,
    ...HELD_WORK_CASES,
    ...LEASE_CASES,
    ...RETENTION_CASES,
    ...INPUT_CASES,
    ...CLOSE_CASES,
  ];
}
