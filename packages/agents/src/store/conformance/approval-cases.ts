import assert from 'node:assert/strict';
import { bindingKey } from '../../governance/approval-store.js';
import { type ConformanceCase, failsWith, withStore } from './conformance-case.js';
import { approvalOf } from './sample-records.js';

const issueOnce: ConformanceCase = {
  name: 'issues an approval once, refusing its nonce again and keeping the first',
  run: (open) =>
    withStore(open, async (store) => {
      const first = approvalOf('n1', { resource: 'mail:ada\nmail:bob', approver: 'person:ада' });
      await store.approvals.issue(first);
      assert.deepStrictEqual(await store.approvals.get('n1'), first);
      await failsWith(
        () => store.approvals.issue(approvalOf('n1', { approver: 'person:mallory' })),
        () => true,
        'a nonce issued twice',
      );
      assert.deepStrictEqual(await store.approvals.get('n1'), first);
      assert.equal(await store.approvals.get('n2'), undefined);
    }),
};

const consumeOnce: ConformanceCase = {
  name: 'consumes a nonce once, also when consumers race',
  run: (open) =>
    withStore(open, async (store) => {
      await store.approvals.issue(approvalOf('n1'));
      await store.approvals.issue(approvalOf('n2'));
      assert.equal(await store.approvals.consume('n1'), true);
      assert.equal(await store.approvals.consume('n1'), false);
      assert.equal(await store.approvals.consume('never-issued'), false);
      const raced = await Promise.all(
        Array.from({ length: 10 }, () => store.approvals.consume('n2')),
      );
      assert.equal(raced.filter((won) => won).length, 1, 'exactly one consumer wins');
      assert.equal(await store.approvals.consume('n2'), false);
      // A used approval is still readable (what was approved, by whom).
      assert.deepStrictEqual(await store.approvals.get('n2'), approvalOf('n2'));
    }),
};

const standing: ConformanceCase = {
  name: 'finds unused standing approvals by binding, in the order they were issued',
  run: (open) =>
    withStore(open, async (store) => {
      const a1 = approvalOf('s1', { requestId: 'standing' });
      const a2 = approvalOf('s2', { requestId: 'standing', expiresAt: 90_000 });
      const elsewhere = approvalOf('s3', { requestId: 'standing', resource: 'mail:eve' });
      const asked = approvalOf('r1');
      for (const a of [a1, asked, a2, elsewhere]) await store.approvals.issue(a);
      const key = bindingKey(a1);
      assert.deepStrictEqual(await store.approvals.standing(key), [a1, a2]);
      assert.deepStrictEqual(await store.approvals.standing(bindingKey(elsewhere)), [elsewhere]);
      assert.equal(await store.approvals.consume('s1'), true);
      assert.deepStrictEqual(await store.approvals.standing(key), [a2]);
      assert.deepStrictEqual(await store.approvals.standing('no binding'), []);
    }),
};

export const APPROVAL_CASES: readonly ConformanceCase[] = [issueOnce, consumeOnce, standing];
