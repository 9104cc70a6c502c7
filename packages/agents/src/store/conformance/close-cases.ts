import assert from 'node:assert/strict';
import { isStoreError } from '../store-error.js';
import { type ConformanceCase, failsWith } from './conformance-case.js';
import { approvalOf, checkpointOf, newEffect, say } from './sample-records.js';

const isClosed = (e: unknown) => isStoreError(e, 'ERR_STORE_CLOSED');

const refusedAfterClose: ConformanceCase = {
  name: 'refuses every operation after close with ERR_STORE_CLOSED, and closes twice quietly',
  run: async (open) => {
    const store = await open();
    await store.checkpoints.commit(checkpointOf('t', 1, [say('user', 'a')]), { expectedHead: 0 });
    const granted = await store.leases.acquire('k', 'a', 1_000, 0);
    assert.ok(granted.acquired);
    const dlq = store.deadLetters('d');
    const queue = store.queue('q');
    await store.close();
    const attempts: [string, () => unknown][] = [
      ['commit', () => store.checkpoints.commit(checkpointOf('t', 2, []), { expectedHead: 1 })],
      ['latest', () => store.checkpoints.latest('t')],
      ['journal.begin', () => store.journal.begin(newEffect('k'))],
      ['journal.get', () => store.journal.get('k')],
      ['journal.advance', () => store.journal.advance('k', 1, { state: 'approved', at: 1 })],
      ['journal.list', () => store.journal.list('t')],
      ['approvals.issue', () => store.approvals.issue(approvalOf('n'))],
      ['approvals.get', () => store.approvals.get('n')],
      ['approvals.consume', () => store.approvals.consume('n')],
      ['approvals.standing', () => store.approvals.standing('b')],
      [
        'audit.append',
        () =>
          store.audit.append(
            { kind: 'allowed', agent: 'a', threadId: 't', tool: 't', key: 'k', argsHash: 'h' },
            1,
          ),
      ],
      ['audit.entries', () => store.audit.entries()],
      ['memory.put', () => store.memory.put([{ threadId: 't', step: 1, text: 'x' }])],
      ['memory.search', () => store.memory.search('t', 'x', 1)],
      ['leases.acquire', () => store.leases.acquire('k2', 'a', 1_000, 0)],
      ['leases.renew', () => store.leases.renew(granted.lease, 1_000, 1)],
      ['leases.release', () => store.leases.release(granted.lease)],
      ['leases.current', () => store.leases.current('k')],
      ['deadLetters.put', () => dlq.put({ ...letter, id: 'x' })],
      ['deadLetters.get', () => dlq.get('x')],
      ['deadLetters.delete', () => dlq.delete('x')],
      ['deadLetters.list', () => dlq.list()],
      ['deadLetters.size', () => dlq.size()],
      ['deadLetters of a new queue', () => store.deadLetters('new').size()],
      ['queue.put', () => queue.put({ id: 'x', request: 1, at: 0, replays: 0 })],
      ['queue.delete', () => queue.delete('x')],
      ['queue.list', () => queue.list()],
      ['queue.size', () => queue.size()],
      ['queue of a new name', () => store.queue('new').size()],
      ['prune', () => store.prune('t', { keepLast: 1, now: 0 })],
      ['usage', () => store.usage('t')],
    ];
    for (const [what, attempt] of attempts) await failsWith(attempt, isClosed, what);
    await store.close();
  },
};

const letter = {
  id: 'x',
  traceId: 't',
  input: 1,
  reason: 'r',
  code: undefined,
  attempts: 1,
  replays: 0,
  recordedAt: 0,
  history: [],
};

export const CLOSE_CASES: readonly ConformanceCase[] = [refusedAfterClose];
