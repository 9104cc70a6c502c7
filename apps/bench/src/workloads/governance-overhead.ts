import {
  CapabilitySet,
  defineTool,
  Gate,
  MemoryAuditLog,
  MemoryEffectJournal,
  Policy,
  runToolCall,
  type ToolCallEnv,
  type ToolContext,
} from '@warden/agents';
import { createNode, defineActor, systemClock } from '@warden/core';
import { z } from 'zod';
import { expectEqual } from '../check.js';
import type { Case, Metric, Sample, Workload } from '../workload.js';
import { scaled } from '../workload.js';

/**
 * What governance adds to a `read` tool call that needs no approval: the capability check, the
 * policy (a freeze switch read), the canonical hash of the arguments, four journal writes
 * (intent, approved, executing, done) and two audit entries (allowed, result), all in memory. The
 * in-memory log chains its entries by hash when it is read, so the first case pays for the
 * entries and not for their hashes, as an agent whose log nobody reads does; the second pays for
 * both. Each call has its own idempotency key, as every call of an agent does, so the journal and
 * the audit log grow through the loop as they would in a run.
 *
 * Each run times N direct calls, N governed calls, then N direct calls again, and reports µs per
 * governed call and the µs it adds over the mean of the two direct loops of that run (raw's
 * middle loop is direct too: its `added` is the noise of the method).
 *
 * - `governance-overhead`: `Gate.run` around the tool's `run`, against calling `run` directly.
 * - `governance-overhead/audit-read`: the same, and the audit log read once at the end
 *   (`entries()`), which chains the entries the in-memory log has not chained yet: what a call
 *   costs when its audit entries are also read, as an operator's export or a verification would.
 * - `governance-overhead/run-tool-call`: the whole runner (`runToolCall`: schema validation, the
 *   timeout timer on the node's clock, output bounding) with the gate, against the same runner
 *   without it.
 */
export const governanceOverhead: Workload = {
  name: 'governance-overhead',
  title: 'Governance overhead: a gated read call (capabilities, policy, journal, audit) vs direct',
  cases(scale: number): Case[] {
    const n = scaled(50_000, scale, 50);
    return [
      {
        id: 'governance-overhead',
        params: `${n} read calls; Gate.run (capability, policy, journal, audit) vs tool.run`,
        metrics: METRICS,
        ops: n,
        run: {
          raw: () => measure(n, directLoop, directLoop),
          warden: () => measure(n, directLoop, () => gatedLoop(false)),
        },
      },
      {
        id: 'governance-overhead/audit-read',
        params: `${n} read calls, then the audit log read (its ${2 * n} entries chained); vs tool.run`,
        metrics: METRICS,
        ops: n,
        run: {
          raw: () => measure(n, directLoop, directLoop),
          warden: () => measure(n, directLoop, () => gatedLoop(true)),
        },
      },
      {
        id: 'governance-overhead/run-tool-call',
        params: `${n} read calls; runToolCall with the gate vs runToolCall without`,
        metrics: METRICS,
        ops: n,
        run: {
          raw: () =>
            measure(
              n,
              () => runnerLoop(false),
              () => runnerLoop(false),
            ),
          warden: () =>
            measure(
              n,
              () => runnerLoop(false),
              () => runnerLoop(true),
            ),
        },
      },
    ];
  },
};

const METRICS: readonly Metric[] = [
  { key: 'us', unit: 'µs', label: 'per call' },
  { key: 'added', unit: 'µs', label: 'added' },
];

const lookup = defineTool({
  name: 'lookup',
  description: 'Looks a customer up',
  effect: 'read',
  input: z.object({ id: z.number().int() }),
  scope: () => 'db:customers',
  run: ({ id }) => ({ id, plan: 'pro' }),
});

const INPUT = { id: 42 };
const node = createNode({ name: 'bench-governance', clock: systemClock });
const signal = new AbortController().signal;
const caller = node.spawn(defineActor({ init: () => undefined }));

function context(key: string): ToolContext {
  return {
    signal,
    deadline: Number.POSITIVE_INFINITY,
    now: () => systemClock.now(),
    idempotencyKey: key,
    callId: key,
    node,
    agent: caller,
    threadId: 'bench',
    spawnAgent: () => Promise.reject(new Error('no subagents here')),
  };
}

function newGate(audit = new MemoryAuditLog()): Gate {
  return new Gate({
    capabilities: CapabilitySet.of([{ tools: ['lookup'], upTo: 'read', scopes: ['db:'] }]),
    policy: new Policy(),
    journal: new MemoryEffectJournal(),
    audit,
    desk: undefined,
    onTimeout: 'deny',
  });
}

/** `n` calls one after the other; resolves with the number of correct results. */
type Loop = (n: number) => Promise<number>;

function isResult(value: unknown): boolean {
  return (value as { id?: unknown } | null)?.id === INPUT.id;
}

function directLoop(): Loop {
  const ctx = context('direct');
  return async (n) => {
    let ok = 0;
    for (let i = 0; i < n; i++) if (isResult(await lookup.run(INPUT, ctx))) ok++;
    return ok;
  };
}

/** `readLog`: the audit log is read once the calls are done, within the time measured. */
function gatedLoop(readLog: boolean): Loop {
  const audit = new MemoryAuditLog();
  const gate = newGate(audit);
  const ctx = context('gated');
  const execute = async () => lookup.run(INPUT, ctx);
  return async (n) => {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const output = await gate.run(
        {
          agent: 'bench',
          threadId: 'bench',
          tool: lookup,
          input: INPUT,
          key: `k${i}`,
          signal,
          now: () => systemClock.now(),
        },
        execute,
      );
      if (isResult(output)) ok++;
    }
    if (readLog) expectEqual('audit entries', (await audit.entries()).length, 2 * n);
    return ok;
  };
}

function runnerLoop(governed: boolean): Loop {
  const tools = new Map([['lookup', lookup]]);
  const gate = newGate();
  const { signal: _s, deadline: _d, now: _n, callId: _c, ...rest } = context('runner');
  return async (n) => {
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const key = `k${i}`;
      const env: ToolCallEnv = {
        clock: systemClock,
        signal,
        context: { ...rest, idempotencyKey: key },
        ...(governed
          ? {
              govern: (tool, input, execute) =>
                gate.run(
                  {
                    agent: 'bench',
                    threadId: 'bench',
                    tool,
                    input,
                    key,
                    signal,
                    now: () => systemClock.now(),
                  },
                  execute,
                ),
            }
          : {}),
      };
      const outcome = await runToolCall(
        tools,
        { type: 'tool-call', callId: key, name: 'lookup', input: INPUT },
        env,
      );
      if (outcome.error === undefined && isResult(outcome.result.output)) ok++;
    }
    return ok;
  };
}

/** µs per call of a fresh loop over `n` calls, after checking every result. */
async function timed(make: () => Loop, n: number): Promise<number> {
  const loop = make();
  const start = performance.now();
  const ok = await loop(n);
  const us = ((performance.now() - start) * 1e3) / n;
  expectEqual('correct results', ok, n);
  return us;
}

async function measure(n: number, direct: () => Loop, contender: () => Loop): Promise<Sample> {
  const before = await timed(direct, n);
  const us = await timed(contender, n);
  const after = await timed(direct, n);
  return { us, added: us - (before + after) / 2 };
}
