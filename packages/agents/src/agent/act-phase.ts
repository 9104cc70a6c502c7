import { canonicalHash } from '../canonical/canonical-json.js';
import { MESSAGE_OVERHEAD, resultTokenBound } from '../context/tokenizer.js';
import type { ApprovalEvent } from '../governance/approval-event.js';
import { argsHash } from '../governance/args-hash.js';
import type { EffectEntry } from '../governance/effect-journal.js';
import type { GateHooks } from '../governance/gate.js';
import type { UnknownOutcomeEvent } from '../governance/unknown-outcome.js';
import type { ToolCallPart, ToolResultPart } from '../model/message.js';
import type { AgentResult } from '../store/checkpoint.js';
import { CallerFields } from '../tools/call-context.js';
import {
  MAX_TOOL_OUTPUT_CHARS,
  runToolCall,
  type ToolCallOutcome,
} from '../tools/run-tool-call.js';
import type { ToolContext } from '../tools/tool.js';
import { noteMessage, type Run } from './agent-run.js';
import { AgentSignal, type ApprovalPhase, type ToolsOutcome } from './agent-signal.js';
import { boundedJson } from './bounded-json.js';
import type { Eventually, StepLoop } from './step-loop.js';

/**
 * Act: runs the step's tool calls one after the other, beside the process, each through the
 * gate; their outcomes come back as one `tools` signal. The gate tells the lifecycle (which is
 * the process's) that a call waits for a person through `approval` signals, in order.
 */
export function act(
  loop: StepLoop,
  run: Run,
  calls: readonly ToolCallPart[],
  nudge: string | undefined,
): void {
  const { ctx, runtime, gate } = loop;
  const tools = runtime.spec.tools;
  const step = run.step;
  const agent = runtime.spec.name;
  // The run is the calls' task signal: its AbortSignal is made only if a call waits on it.
  const signal = run;
  const shared = sharedOf(loop, run);
  // Each call's journal entries are kept for the `agent.tool_call` events, built only when the
  // node is observed.
  const observed = loop.observed;
  (async () => {
    const outcomes: ToolCallOutcome[] = [];
    const journal: (EffectEntry | undefined)[] = [];
    for (let index = 0; index < calls.length; index++) {
      const call = calls[index] as ToolCallPart;
      // The key is known once the gate has the validated arguments, before `run` starts.
      const fields = new CallerFields('', ctx.node, ctx.self, run.threadId, shared.spawnAgent);
      const outcome = await runToolCall(tools, call, {
        clock: ctx.node.clock,
        maxOutputChars: toolOutputChars(runtime.spec.contextWindow),
        signal,
        govern: (tool, input, execute) => {
          const hashed = argsHash(input);
          const key =
            tool.effect === 'read' && hashed !== undefined
              ? readKeyOf(run.threadId, step, index, tool.name, hashed)
              : idempotencyKeyOf(run.threadId, step, index, call);
          fields.idempotencyKey = key;
          return gate.run(
            {
              agent,
              threadId: run.threadId,
              tool,
              input,
              key,
              argsHash: hashed,
              signal,
              now: shared.now,
              journaled: observed
                ? (entry) => {
                    journal[index] = entry;
                  }
                : undefined,
            },
            execute,
            shared.hooks,
          );
        },
        context: fields,
      });
      outcomes.push(outcome);
      if (signal.aborted) return;
    }
    ctx.send(
      ctx.self,
      new AgentSignal('tools', run.id, { outcomes, journal, nudge } satisfies ToolsOutcome),
    );
  })().catch((error: unknown) => ctx.send(ctx.self, new AgentSignal('fail', run.id, error)));
}

/** A call waits for a person, or got its answer: the lifecycle shows it (status still answers). */
export function onApproval(loop: StepLoop, phase: ApprovalPhase): void {
  if (phase.waiting) loop.lifecycle.send({ type: 'agent.approval_required' });
  else loop.lifecycle.send({ type: phase.approved ? 'agent.approved' : 'agent.rejected' });
}

/** Observe: the step's tool results (and a guard's nudge) go back into the context. */
export function onTools(
  loop: StepLoop,
  run: Run,
  { outcomes, journal, nudge }: ToolsOutcome,
): Eventually<AgentResult | undefined> {
  const results: ToolResultPart[] = [];
  // The message's token bound, from the texts the calls made of their outputs already.
  let bound = MESSAGE_OVERHEAD;
  for (const outcome of outcomes) {
    results.push(outcome.result);
    bound += resultTokenBound(outcome.result, outcome.text);
  }
  if (loop.observed) {
    for (let index = 0; index < outcomes.length; index++) {
      const outcome = outcomes[index] as ToolCallOutcome;
      const entry = journal[index];
      loop.publishEvent({
        type: 'agent.tool_call',
        agent: loop.runtime.spec.name,
        threadId: run.threadId,
        step: run.step,
        tool: outcome.result.name,
        outcome: outcome.error === undefined ? 'ok' : outcome.error.code,
        effect: loop.runtime.spec.tools.get(outcome.result.name)?.effect,
        key: entry?.key,
        journal: entry?.state,
        decidedBy: entry?.decidedBy,
      });
    }
  }
  run.ledger.append({ role: 'tool', content: results }, bound);
  if (nudge !== undefined) run.ledger.append(noteMessage(nudge));
  loop.lifecycle.send({ type: 'agent.observe' });
  const committed = loop.commit(run);
  if (committed !== undefined)
    return committed.then(() => {
      loop.next(run);
      return undefined;
    });
  loop.next(run);
  return undefined;
}

/** What every tool call of a run passes the gate and its tool: made once per run. */
interface RunShared {
  /** The lifecycle is the process's: the gate tells it through messages, in order. */
  readonly hooks: GateHooks;
  readonly spawnAgent: ToolContext['spawnAgent'];
  /** The node's clock, for the gate. */
  readonly now: () => number;
}

function sharedOf(loop: StepLoop, run: Run): RunShared {
  let shared = run.acting as RunShared | undefined;
  if (shared === undefined) {
    const { ctx } = loop;
    shared = {
      hooks: {
        waiting: () => ctx.send(ctx.self, new AgentSignal('approval', run.id, { waiting: true })),
        answered: (approved: boolean) =>
          ctx.send(ctx.self, new AgentSignal('approval', run.id, { waiting: false, approved })),
        notify: (event: UnknownOutcomeEvent | ApprovalEvent) =>
          loop.publish(event.type, { threadId: run.threadId, ...event }),
      },
      spawnAgent: (key, agent, task, options) =>
        loop.subagents.spawn(run, key, agent, task, run.signal, options),
      now: () => ctx.now(),
    };
    run.acting = shared;
  }
  return shared;
}

/** The tool calls of the last message when their results never came back (a resumed run). */
export function pendingCalls(run: Run): ToolCallPart[] {
  const last = run.ledger.messages.at(-1);
  if (last?.role !== 'assistant') return [];
  return last.content.filter((p): p is ToolCallPart => p.type === 'tool-call');
}

/**
 * How much of one tool result enters the context: at most a quarter of the window (at a
 * conservative three characters a token) and never more than `MAX_TOOL_OUTPUT_CHARS`, so one
 * oversized result can never fill a context that compaction must keep it in.
 */
function toolOutputChars(contextWindow: number): number {
  return Math.max(1_000, Math.min(MAX_TOOL_OUTPUT_CHARS, Math.floor(contextWindow * 0.75)));
}

/**
 * The key of a `read` call: its step, its position, its tool, the hash of its validated
 * arguments (the one the gate records and approvals bind) and its thread, written out rather than
 * hashed again. Unique as the hashed key is: read from the left, every part but the last has a
 * fixed form without `/` (numbers, a tool name of `[A-Za-z0-9_-]`, 64 hex digits), so two calls
 * share a key only when they share every part; and never a hashed key, which has no `/`. A read
 * has no effect to deduplicate, so what matters is only that a step resumed meets its calls again
 * under the same key, and a different call at the same position under another.
 */
function readKeyOf(
  threadId: string,
  step: number,
  index: number,
  tool: string,
  hashed: string,
): string {
  return `r/${step}/${index}/${tool}/${hashed}/${threadId}`;
}

/**
 * The key a tool call's effects are deduplicated by: the thread, the step, the call's position
 * and its canonical arguments, hashed once; arguments without a canonical form are keyed by
 * their JSON text instead. Kept for every call that is not a read (and a read whose validated
 * arguments have no canonical form): a service that deduplicates by it sees the key it always saw.
 */
function idempotencyKeyOf(
  threadId: string,
  step: number,
  index: number,
  call: ToolCallPart,
): string {
  try {
    return canonicalHash([threadId, step, index, call.name, call.input]);
  } catch {
    return canonicalHash([threadId, step, index, call.name, boundedJson(call.input)]);
  }
}
