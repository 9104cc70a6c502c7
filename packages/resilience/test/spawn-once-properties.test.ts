// Issue 5, property tests: spawnOnce never runs two children with one key, whatever the
// interleaving of racing spawnOnce calls (every conflict policy), child crashes and child exits.
// fast-check's scheduler decides the order; children wait on scheduled gates while they start and
// before they crash, so starts, replacements and exits overlap. After every step the invariant is
// checked against the live processes of the node, not against the guard's own bookkeeping.
import {
  createNode,
  defineActor,
  type Node,
  type Pid,
  type RestartType,
  startSupervisor,
  stop,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONFLICT_POLICIES,
  type ConflictPolicy,
  isResilienceError,
  SpawnOnceGuard,
  type SpawnStart,
} from '../src/index.js';

const KEYS = ['a', 'b'] as const;
type Key = (typeof KEYS)[number];

type Op =
  | { readonly kind: 'spawn'; readonly key: Key; readonly policy: ConflictPolicy }
  | { readonly kind: 'crash' | 'exit'; readonly key: Key };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('spawn' as const),
      key: fc.constantFrom(...KEYS),
      policy: fc.constantFrom(...CONFLICT_POLICIES),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('crash' as const, 'exit' as const),
      key: fc.constantFrom(...KEYS),
    }),
  },
);

/** Dynamic children (temporary), or static children with each restart type. */
const mode = fc.constantFrom<'dynamic' | RestartType>(
  'dynamic',
  'temporary',
  'transient',
  'permanent',
);

interface ChildArgs {
  readonly key: Key;
  readonly gate: (label: string) => Promise<unknown>;
  readonly born: Map<string, Key>;
}

/** A child that waits on a gate while it starts and before it crashes or exits. */
const child = defineActor<ChildArgs, ChildArgs>({
  init: async (args, ctx) => {
    args.born.set(ctx.self.key, args.key);
    await args.gate(`${args.key} starts`);
    return args;
  },
  handleInfo: async (message: unknown, args) => {
    await args.gate(`${args.key} ${String(message)}`);
    if (message === 'crash') throw new Error('crashed');
    return message === 'exit' ? stop('normal', args) : args;
  },
});

/** Children of each key alive on the node now. */
function liveByKey(node: Node, born: Map<string, Key>): Map<Key, Pid[]> {
  const out = new Map<Key, Pid[]>(KEYS.map((k) => [k, []]));
  for (const pid of node.processes()) {
    const key = born.get(pid.key);
    if (key !== undefined) out.get(key)?.push(pid);
  }
  return out;
}

describe('spawnOnce under racing spawns, crashes and exits (property)', () => {
  it('never runs two children with one key, and ends agreeing with the node', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        mode,
        fc.array(op, { minLength: 1, maxLength: 10 }),
        async (s, kind, ops) => {
          const clock = new TestClock();
          const node = createNode({ name: 'race', clock });
          const gate = (label: string) => s.schedule(Promise.resolve(label), label);
          const born = new Map<string, Key>();
          const sup = (await startSupervisor(node, {
            strategy: kind === 'dynamic' ? 'simple_one_for_one' : 'one_for_one',
            intensity: 1000,
            children:
              kind === 'dynamic'
                ? [{ id: 'task', start: { behaviour: child }, restart: 'temporary' }]
                : [],
          })) as Pid;
          const guard = new SpawnOnceGuard({ node, supervisor: sup, recheckMs: 10 });
          const startOf = (key: Key): SpawnStart =>
            kind === 'dynamic'
              ? { extra: { key, gate, born } }
              : { start: { behaviour: child, args: { key, gate, born } }, restart: kind };
          const unexpected: unknown[] = [];
          const runs = ops.map(async (o, i) => {
            await gate(`op ${i}: ${o.kind} ${o.key}`);
            if (o.kind === 'spawn') {
              await guard.spawnOnce(o.key, startOf(o.key), { policy: o.policy }).catch((e) => {
                if (!isResilienceError(e, 'ERR_ALREADY_RUNNING')) unexpected.push(e);
              });
            } else {
              for (const pid of liveByKey(node, born).get(o.key) ?? []) node.send(pid, o.kind);
            }
          });
          const check = () => {
            for (const [key, pids] of liveByKey(node, born)) {
              expect(pids.length, `children alive under key ${key}`).toBeLessThanOrEqual(1);
            }
          };
          // Drive: settle, check, release one scheduled step (the scheduler picks), or fire a timer.
          let steps = 0;
          for (; steps < 2000; steps++) {
            await clock.settle();
            check();
            if (s.count() > 0) await s.waitNext(1);
            else if (!(await clock.advanceToNext())) break;
          }
          expect(steps).toBeLessThan(2000);
          await Promise.all(runs);
          expect(unexpected).toEqual([]);
          // At rest, the guard's view is the node's: the live child of a key is the one it knows.
          for (const [key, pids] of liveByKey(node, born)) {
            expect(guard.running(key)?.key, `guard's child for ${key}`).toBe(pids[0]?.key);
          }
          guard.close();
          await node.stop();
        },
      ),
      { numRuns: 150 },
    );
  });
});
