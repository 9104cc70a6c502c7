/**
 * The testkit under node's own test runner, with no vitest anywhere: run by
 * node-test-runner.test.ts as `tsx --conditions=source --test <this file>`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSystem, isTestkitError, type SystemCheckFailure } from '../../src/index.js';
import { sessionSystem } from '../systems/session.js';

test('a correct system passes', async () => {
  const s = sessionSystem();
  const report = await checkSystem(s.setup, {
    faults: s.faults,
    invariants: s.invariants,
    runs: 30,
  });
  assert.equal(report.runs, 30);
});

test('a wrong restart strategy is found, with a replayable report', async () => {
  const s = sessionSystem('one-for-one');
  await assert.rejects(
    checkSystem(s.setup, { faults: s.faults, invariants: s.invariants }),
    (error) => {
      assert.ok(isTestkitError(error, 'ERR_INVARIANT_VIOLATED'));
      const failure = error as SystemCheckFailure;
      assert.match(failure.message, /FC_SEED=-?\d+ FC_PATH=[\d:]+/);
      assert.match(failure.message, /Timeline:/);
      return true;
    },
  );
});
