import assert from 'node:assert/strict';
import { isStoreError } from '../store-error.js';
import { type ConformanceCase, failsWith, withStore } from './conformance-case.js';

const isFenced = (e: unknown) => isStoreError(e, 'ERR_FENCED');

const grantAndExtend: ConformanceCase = {
  name: 'grants a free key under token 1 and extends it for its owner under the same token',
  run: (open) =>
    withStore(open, async (store) => {
      const { leases } = store;
      assert.equal(await leases.current('k'), undefined);
      const first = await leases.acquire('k', 'node-a', 1_000, 0, { pid: '<0.7.0>', n: 1 });
      const lease = {
        key: 'k',
        owner: 'node-a',
        token: 1,
        expiresAt: 1_000,
        data: { pid: '<0.7.0>', n: 1 },
      };
      assert.deepStrictEqual(first, { acquired: true, lease });
      assert.deepStrictEqual(await leases.current('k'), lease);
      // Extended without data: what it published stays.
      const extended = await leases.acquire('k', 'node-a', 1_000, 400);
      assert.deepStrictEqual(extended, { acquired: true, lease: { ...lease, expiresAt: 1_400 } });
      const republished = await leases.acquire('k', 'node-a', 500, 600, 'new data');
      assert.deepStrictEqual(republished, {
        acquired: true,
        lease: { ...lease, expiresAt: 1_100, data: 'new data' },
      });
      const plain = await leases.acquire('other', 'node-b', 10, 0);
      assert.deepStrictEqual(plain, {
        acquired: true,
        lease: { key: 'other', owner: 'node-b', token: 1, expiresAt: 10, data: undefined },
      });
      await failsWith(
        () => leases.acquire('k', 'node-a', 0, 0),
        (e) => isStoreError(e, 'ERR_INVALID_OPTION'),
        'a ttl of 0',
      );
      await failsWith(
        () => leases.acquire('k', 'node-a', 100, Number.NaN),
        (e) => isStoreError(e, 'ERR_INVALID_OPTION'),
        'a time that is not a number',
      );
      assert.deepStrictEqual(await leases.current('k'), {
        ...lease,
        expiresAt: 1_100,
        data: 'new data',
      });
    }),
};

const takeover: ConformanceCase = {
  name: 'refuses another owner while the lease lives and hands the key over under the next token once it expired',
  run: (open) =>
    withStore(open, async (store) => {
      const { leases } = store;
      const a = await leases.acquire('k', 'node-a', 1_000, 0, 'a');
      assert.ok(a.acquired);
      assert.deepStrictEqual(await leases.acquire('k', 'node-b', 1_000, 999, 'b'), {
        acquired: false,
        held: a.lease,
      });
      const b = await leases.acquire('k', 'node-b', 1_000, 1_000, 'b');
      assert.deepStrictEqual(b, {
        acquired: true,
        lease: { key: 'k', owner: 'node-b', token: 2, expiresAt: 2_000, data: 'b' },
      });
      // The old owner coming back late is a new holder too, under the next token.
      const back = await leases.acquire('k', 'node-b', 1_000, 5_000);
      assert.deepStrictEqual(back, {
        acquired: true,
        lease: { key: 'k', owner: 'node-b', token: 3, expiresAt: 6_000, data: undefined },
      });
    }),
};

const fencing: ConformanceCase = {
  name: 'refuses a renew or release under a token that changed hands, and never grants a token twice',
  run: (open) =>
    withStore(open, async (store) => {
      const { leases } = store;
      const a = await leases.acquire('k', 'node-a', 1_000, 0);
      assert.ok(a.acquired);
      // Expired, but nobody took it: still held under its token.
      const renewed = await leases.renew(a.lease, 1_000, 1_500);
      assert.deepStrictEqual(renewed, { ...a.lease, expiresAt: 2_500 });
      const b = await leases.acquire('k', 'node-b', 1_000, 2_500);
      assert.ok(b.acquired);
      assert.equal(b.lease.token, 2);
      await failsWith(() => leases.renew(renewed, 1_000, 2_600), isFenced, 'renew after takeover');
      assert.equal(await leases.release(renewed), false);
      assert.deepStrictEqual(await leases.current('k'), b.lease);
      assert.equal(await leases.release(b.lease), true);
      assert.equal(await leases.current('k'), undefined);
      assert.equal(await leases.release(b.lease), false);
      await failsWith(() => leases.renew(b.lease, 1_000, 2_700), isFenced, 'renew after release');
      const again = await leases.acquire('k', 'node-a', 1_000, 2_800);
      assert.ok(again.acquired);
      assert.equal(again.lease.token, 3, 'a released key goes on from its last token');
    }),
};

export const LEASE_CASES: readonly ConformanceCase[] = [grantAndExtend, takeover, fencing];
