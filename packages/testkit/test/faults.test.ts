/**
 * Each fault of a schedule does what it says, at the time or on the message it names, through
 * `replaySystem` (one run of a given schedule).
 */
import { defineAgent, defineTool, isModelCallError, runTask } from '@warden/agents';
import {
  type ActorContext,
  defineActor,
  errorReason,
  type Node,
  type Pid,
  reply,
  sleep,
  startSupervisor,
} from '@warden/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Fault, invariant, replaySystem, type Setup, type Simulation } from '../src/index.js';

const QUIET = { horizonMs: 10_000, quietMs: 10_000, invariants: [] };

/** A server that answers `n` to its nth call, and logs every message it handles. */
function echo(log: string[]) {
  return defineActor<number>({
    init: () => 0,
    handleCall: (req: string, _from, n, ctx) => {
      log.push(`${ctx.now()} ${req}`);
      return reply(n + 1, n + 1);
    },
  });
}

async function run(setup: Setup, schedule: readonly Fault[], extra = {}) {
  return replaySystem(setup, { ...QUIET, ...extra, seed: 1, schedule });
}

describe('actor faults', () => {
  it('crashes a named process at the time given, with the reason given', async () => {
    const exits: unknown[] = [];
    const outcome = await run(
      (sim) => {
        const node = sim.node();
        node.spawn(echo([]), { name: 'echo' });
        node.inspect((e) => {
          if (e.type === 'actor.exited') exits.push([e.time, e.reason]);
        });
      },
      [{ kind: 'crash', at: 2_500, target: { name: 'echo' }, reason: 'kill' }],
    );
    expect(exits[0]).toEqual([2_500, 'killed']);
    expect(outcome.timeline.format()).toContain('crash process "echo" (kill): echo');
  });

  it('crashes the latest live instance of a label, and any live process by pick', async () => {
    const reasons: string[] = [];
    const setup: Setup = (sim) => {
      const node = sim.node();
      const worker = sim.actor('worker', echo([]));
      node.spawn(worker);
      node.spawn(worker);
      node.inspect((e) => {
        if (e.type === 'actor.exited' && e.cause !== 'node-stopped') {
          reasons.push(`${e.pid.key} ${JSON.stringify(e.reason)}`);
        }
      });
    };
    await run(setup, [{ kind: 'crash', at: 1, target: { label: 'worker' }, reason: 'shutdown' }]);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/\/2 "shutdown"$/); // the second spawned, the latest
    reasons.length = 0;
    await run(setup, [{ kind: 'crash', at: 1, target: { pick: 3 }, reason: 'error' }]);
    expect(reasons[0]).toMatch(/\/2 .*injected crash/); // 3 mod 2 live = the second
  });

  it('crashes, hangs or slows the Nth message of a label, counted across restarts', async () => {
    const log: string[] = [];
    const answers: unknown[] = [];
    const setup: Setup = async (sim) => {
      const node = sim.node();
      const server = sim.actor('echo', echo(log));
      await startSupervisor(node, {
        strategy: 'one_for_one',
        children: [{ id: 'echo', start: { behaviour: server, options: { name: 'echo' } } }],
      });
      for (let i = 1; i <= 4; i++) {
        node.clock.setTimer(i * 1_000, () => {
          node.call('echo', `m${i}`, { timeout: 500 }).then(
            (n) => answers.push(n),
            (e: unknown) => answers.push((e as { code?: string }).code),
          );
        });
      }
    };
    await run(setup, [{ kind: 'crash-on-message', label: 'echo', nth: 2, reason: 'error' }]);
    expect(log).toEqual(['1000 m1', '3000 m3', '4000 m4']);
    expect(answers).toEqual([1, 'ERR_EXIT', 1, 2]); // the restarted server starts from 0

    log.length = 0;
    answers.length = 0;
    await run(setup, [{ kind: 'slow', label: 'echo', nth: 1, ms: 300 }]);
    expect(log[0]).toBe('1300 m1');

    log.length = 0;
    answers.length = 0;
    await run(setup, [{ kind: 'hang', label: 'echo', nth: 3 }]);
    expect(log).toEqual(['1000 m1', '2000 m2']);
    expect(answers).toEqual([1, 2, 'ERR_CALL_TIMEOUT', 'ERR_CALL_TIMEOUT']);
  });

  it('never counts the messages of the setup: the 1st message is the first after start-up', async () => {
    const log: string[] = [];
    await run(
      async (sim) => {
        const node = sim.node();
        node.spawn(sim.actor('echo', echo(log)), { name: 'echo' });
        await node.call('echo', 'during setup');
        node.clock.setTimer(1_000, () => void node.call('echo', 'after').catch(() => {}));
      },
      [{ kind: 'crash-on-message', label: 'echo', nth: 1, reason: 'error' }],
    );
    expect(log).toEqual(['0 during setup']);
  });
});

describe('network faults', () => {
  /** Two nodes; `a` sends `b` a numbered message every 100 ms from 1 s to 2 s. */
  function pair(received: string[]): Setup {
    return (sim: Simulation) => {
      const a = sim.node('a');
      const b = sim.node('b');
      const sink = b.spawn(
        defineActor<void>({
          handleInfo: (m: number, _s, ctx) => {
            received.push(`${ctx.now()}:${m}`);
          },
        }),
        { name: 'sink' },
      );
      for (let i = 0; i <= 10; i++) a.clock.setTimer(1_000 + i * 100, () => a.send(sink, i));
    };
  }

  it('delays a link in order, nothing duplicated, and only that direction', async () => {
    const received: string[] = [];
    await run(
      pair(received),
      [{ kind: 'link-delay', at: 1_250, from: 'a', to: 'b', ms: 400, forMs: 300 }],
      {
        jitterMs: 0,
      },
    );
    const order = received.map((r) => Number(r.split(':')[1]));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); // per-pair FIFO, no duplicate
    const at = (m: number) => Number(received[m]?.split(':')[0]);
    expect(at(2)).toBe(1_200); // before the delay
    expect(at(3)).toBe(1_700); // sent at 1 300, held 400 ms
    expect(at(5)).toBe(1_900); // sent at 1 500 (the window ends at 1 550)
    expect(at(6)).toBe(1_900); // sent at 1 600, undelayed, but never before 5
    expect(at(8)).toBe(1_900); // sent at 1 800, behind 5..7
    expect(at(10)).toBe(2_000); // the line is empty again: no delay
  });

  it('loses what is in flight with the connection in a partition, and heals', async () => {
    const received: string[] = [];
    const outcome = await run(
      pair(received),
      [{ kind: 'partition', at: 1_450, a: ['a'], b: ['b'], healAfterMs: 300 }],
      { jitterMs: 0 },
    );
    const got = received.map((r) => Number(r.split(':')[1]));
    expect(got).toEqual([0, 1, 2, 3, 4, 8, 9, 10]); // 5..7 sent while cut: lost, never late
    const text = outcome.timeline.format();
    expect(text).toContain('partition [a] | [b] for 300 ms');
    expect(text).toContain('a lost b');
    expect(text).toContain('heal [a] | [b]');
  });

  it('jitters deliveries by the seed, the same way every time for one seed', async () => {
    const times = async (seed: number) => {
      const received: string[] = [];
      await replaySystem(pair(received), { ...QUIET, jitterMs: 5, seed, schedule: [] });
      return received;
    };
    const first = await times(7);
    expect(await times(7)).toEqual(first);
    expect(first.map((r) => Number(r.split(':')[1]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const seeds = await Promise.all([1, 2, 3, 4].map(times));
    expect(new Set(seeds.map((s) => s.join())).size).toBeGreaterThan(1);
  });
});

describe('clock jumps', () => {
  it('fires the timers due during the pause at once, late, with the clock already past them', async () => {
    const fired: [number, number][] = [];
    await run(
      (sim) => {
        const clock = sim.clock;
        for (const due of [1_000, 1_500, 2_000, 9_000])
          clock.setTimer(due, () => fired.push([due, clock.now()]));
      },
      [{ kind: 'clock-jump', at: 800, ms: 1_500 }],
    );
    // at 800 the process pauses 1.5 s: the 1 000 and 1 500 timers fire at 2 300, in order
    expect(fired).toEqual([
      [1_000, 2_300],
      [1_500, 2_300],
      [2_000, 2_300],
      [9_000, 9_000],
    ]);
  });
});

describe('model and tool faults', () => {
  it('makes the scripted model fail as providers do, on the calls named', async () => {
    const outcomes: string[] = [];
    const setup: Setup = async (sim) => {
      const model = sim.model('m', { script: { text: 'ok' }, timeoutMs: 1_000 });
      const node = sim.node();
      node.clock.setTimer(0, async () => {
        for (let i = 0; i < 8; i++) {
          try {
            await model.generate({
              messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
            });
            outcomes.push('ok');
          } catch (error) {
            if (!isModelCallError(error)) throw error;
            outcomes.push(`${error.kind}:${error.status ?? '-'}:${error.retryAfterMs ?? '-'}`);
          }
        }
      });
    };
    await run(setup, [
      { kind: 'model', model: 'm', call: 1, count: 2, fault: 'rate-limited', retryAfterMs: 2_000 },
      { kind: 'model', model: 'm', call: 3, count: 1, fault: 'overloaded', retryAfterMs: 500 },
      { kind: 'model', model: 'm', call: 4, count: 1, fault: 'server-error' },
      { kind: 'model', model: 'm', call: 5, count: 1, fault: 'timeout' },
      { kind: 'model', model: 'm', call: 6, count: 1, fault: 'context-overflow' },
      { kind: 'model', model: 'm', call: 7, count: 1, fault: 'garbage' },
      { kind: 'model', model: 'other', call: 0, count: 8, fault: 'server-error' },
    ]);
    expect(outcomes).toEqual([
      'ok',
      'rate_limited:429:2000',
      'rate_limited:429:2000',
      'overloaded:529:500',
      'server:500:-',
      'timeout:-:-',
      'context_length:400:-',
      'server:200:-',
    ]);
  });

  it('fails, hangs or slows the Nth call of a tool an agent makes', async () => {
    const seen: unknown[] = [];
    const ran: number[] = [];
    const setup: Setup = async (sim) => {
      const node = sim.node();
      const stamp = defineTool({
        name: 'stamp',
        description: 'Stamps',
        effect: 'read',
        timeout: 5_000,
        input: z.object({}),
        run: (_i, ctx) => {
          ran.push(ctx.now());
          return 'stamped';
        },
      });
      const model = sim.model('m', {
        latencyMs: 100,
        script: (request) => {
          const results = request.messages.filter((m) => m.role === 'tool');
          const last = results.at(-1)?.content[0];
          if (last !== undefined)
            seen.push(
              (last as { output?: unknown; isError?: boolean }).isError === true ? 'error' : 'ok',
            );
          return results.length < 3
            ? { toolCalls: [{ name: 'stamp', input: {} }] }
            : { text: 'done' };
        },
      });
      const agent = node.spawn(
        defineAgent({ name: 'a', model, system: '', tools: [sim.tool(stamp)] }),
      );
      void sim.client('t', () => runTask(node, agent, 'stamp thrice'));
    };
    await run(setup, [{ kind: 'tool', tool: 'stamp', nth: 2, failure: 'error' }]);
    expect(seen).toEqual(['ok', 'error', 'ok']);
    expect(ran).toEqual([100, 300]);

    seen.length = 0;
    ran.length = 0;
    await run(setup, [{ kind: 'tool', tool: 'stamp', nth: 1, failure: 'slow', ms: 700 }]);
    expect(ran).toEqual([800, 900, 1_000]);

    seen.length = 0;
    ran.length = 0;
    await run(setup, [{ kind: 'tool', tool: 'stamp', nth: 1, failure: 'hang' }]);
    expect(seen[0]).toBe('error'); // abandoned at its 5 s timeout
    expect(ran).toEqual([5_200, 5_300]);
  });
});

describe('client faults', () => {
  it('sends the nth request again, as an at-least-once client whose acknowledgement was lost', async () => {
    const handled: string[] = [];
    let node: Node | undefined;
    const setup: Setup = (sim) => {
      node = sim.node();
      const pid: Pid = node.spawn(
        defineActor<void>({
          handleCall: (req: string) => {
            handled.push(req);
            return reply('ok', undefined);
          },
        }),
      );
      for (const id of ['r1', 'r2', 'r3']) void sim.client(id, () => (node as Node).call(pid, id));
    };
    const outcome = await run(setup, [{ kind: 'redeliver', nth: 2 }]);
    expect(handled).toEqual(['r1', 'r2', 'r3', 'r2']);
    expect(outcome.simulation.requests.get('r2')).toMatchObject({ status: 'completed', sends: 2 });
  });
});

describe('runs', () => {
  it('stops at the first broken invariant, and stops every node whatever happens', async () => {
    let sim: Simulation | undefined;
    const outcome = await replaySystem(
      (s) => {
        sim = s;
        s.node().spawn(async (ctx: ActorContext) => {
          await sleep(ctx.node.clock, 60_000);
        });
      },
      {
        ...QUIET,
        seed: 1,
        schedule: [],
        invariants: [
          invariant('always broken', () => 'broken'),
          invariant('never reached', () => 'no'),
        ],
      },
    );
    expect(outcome.violations.map((v) => v.invariant)).toEqual(['always broken']);
    expect(sim?.nodes.every((n) => n.stopped)).toBe(true);
  });

  it('exits a process with an error reason that names the injected crash', () => {
    expect(JSON.stringify(errorReason(new Error('x')))).toContain('x');
  });
});
