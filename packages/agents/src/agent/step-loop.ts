import type { ActorContext, CallRequest } from '@warden/core';
import type { AgentLifecycle } from '@warden/machines';
import { canonicalHash } from '../canonical/canonical-json.js';
import { compact } from '../context/compaction.js';
import type { Tokenizer } from '../context/tokenizer.js';
import type { ApprovalEvent } from '../governance/approval-event.js';
import type { EffectEntry } from '../governance/effect-journal.js';
import { Gate } from '../governance/gate.js';
import {
  type Governance,
  governanceFor,
  type InheritedGovernance,
} from '../governance/governance.js';
import type { UnknownOutcomeEvent } from '../governance/unknown-outcome.js';
import type { Message, Part, ToolCallPart, ToolResultPart } from '../model/message.js';
import { isModelCallError, type ModelErrorKind } from '../model/model-call-error.js';
import type { ToolSpec } from '../model/model-request.js';
import type { ModelResponse } from '../model/model-response.js';
import type { AgentResult } from '../store/checkpoint.js';
import type { CheckpointStore } from '../store/checkpoint-store.js';
import type { MemoryStore } from '../store/memory-store.js';
import {
  MAX_TOOL_OUTPUT_CHARS,
  runToolCall,
  type ToolCallOutcome,
} from '../tools/run-tool-call.js';
import { AgentError, isAgentError } from './agent-error.js';
import type { AgentReply } from './agent-protocol.js';
import { type Origin, Run } from './agent-run.js';
import type { ResolvedAgentSpec } from './agent-spec.js';
import { budgetExceeded } from './budget.js';
import { costOf } from './price-table.js';
import { Subagents, type TreeCounter } from './subagents.js';

/** What every run of one agent definition shares. */
export interface Runtime {
  readonly spec: ResolvedAgentSpec;
  readonly checkpoints: CheckpointStore;
  readonly memory: MemoryStore;
  readonly toolSpecs: readonly ToolSpec[];
  /** Capabilities, policy, approvals, journal and audit log of the definition. */
  readonly governance: Governance;
}

type SignalKind =
  | 'dequeue'
  | 'step'
  | 'model'
  | 'tools'
  | 'approval'
  | 'compacted'
  | 'wall'
  | 'fail';

/** The payload of an `approval` signal: a call started or stopped waiting for a person. */
type ApprovalPhase =
  | { readonly waiting: true }
  | { readonly waiting: false; readonly approved: boolean };

/**
 * A message an agent sends itself: the next step, or the completion of work that ran beside the
 * process. It carries the run's id, so the completion of a cancelled run's call is ignored.
 */
export class AgentSignal {
  constructor(
    readonly kind: SignalKind,
    readonly runId: number,
    readonly payload: unknown,
  ) {}
}

type ModelOutcome =
  | { readonly ok: true; readonly response: ModelResponse }
  | { readonly ok: false; readonly error: unknown };

interface ToolsOutcome {
  readonly outcomes: readonly ToolCallOutcome[];
  /** Each call's journal entry as the gate left it (none for a call refused before the gate). */
  readonly journal: readonly (EffectEntry | undefined)[];
  readonly nudge: string | undefined;
}

/** How much of an answer an `agent.finished` event carries. */
const MAX_EVENT_TEXT = 4_000;

/** Model errors a fallback model may serve: the primary (or its provider) is failing. */
const FALLBACK_KINDS: ReadonlySet<ModelErrorKind> = new Set([
  'rate_limited',
  'quota_exhausted',
  'overloaded',
  'server',
  'timeout',
  'network',
  'auth',
  'unknown',
]);

/**
 * The reason a task's signal aborts with when the task ends: the `AbortError` that `abort()`
 * would make, made once, since building one (with its stack) per task cost more than a step's
 * bookkeeping.
 */
const TASK_ENDED = Object.freeze(new DOMException('This operation was aborted', 'AbortError'));

const SUMMARY_SYSTEM =
  'Summarise the conversation below for the agent that is working on it: the facts found, the ' +
  'actions taken and their outcomes, and what is left to do. Be brief and exact.';

/**
 * The plan-act-observe loop of one agent process. Each method runs inside one handler turn and
 * either finishes quickly or starts work beside the process that reports back as an
 * `AgentSignal`; a failure that ends the agent is thrown from the turn (so the process exits with
 * it as its reason) after the lifecycle records it.
 */
export class StepLoop {
  run: Run | undefined;
  refusedSpawns = 0;
  #runs = 0;
  readonly #subagents: Subagents;
  /** This process's gate: the definition's governance narrowed by what its parent holds. */
  readonly gate: Gate;

  constructor(
    readonly runtime: Runtime,
    readonly ctx: ActorContext,
    readonly lifecycle: AgentLifecycle,
    readonly tokenizer: Tokenizer,
    tree: TreeCounter,
    inherited?: InheritedGovernance,
  ) {
    this.gate = new Gate(governanceFor(runtime.governance, inherited));
    this.#subagents = new Subagents(ctx, runtime.spec, tree, (refused) => {
      if (refused) this.refusedSpawns++;
    });
    // A subagent holds at most what this agent holds, and freezes with it.
    this.#subagents.inherited = {
      capabilities: this.gate.governance.capabilities,
      freeze: this.gate.governance.policy.freeze,
    };
  }

  /** Starts (or resumes) a task; resolves with the result at once when the thread is finished. */
  async begin(threadId: string, task: string, origin: Origin): Promise<AgentResult | undefined> {
    const { ctx, runtime } = this;
    const saved = await runtime.checkpoints.latest(threadId);
    if (saved?.result !== undefined) {
      this.answer(origin, saved.result);
      return saved.result;
    }
    const run = new Run(++this.#runs, runtime.spec, this.tokenizer, {
      threadId,
      task: saved?.task ?? task,
      origin,
      now: ctx.now(),
      ...(saved === undefined ? {} : { from: saved }),
    });
    this.run = run;
    // A kill or any exit of the process aborts the task's model and tool calls with it.
    ctx.signal.addEventListener('abort', run.abortWithProcess, { once: true });
    this.lifecycle.send({ type: 'agent.task' });
    const wallMs = runtime.spec.limits.wallMs;
    if (wallMs !== undefined) {
      const left = Math.max(0, wallMs - run.meter.spent(ctx.now()).wallMs);
      run.wallTimer = ctx.sendAfter(ctx.self, new AgentSignal('wall', run.id, undefined), left);
    }
    this.#publish('agent.task_started', { threadId, resumed: saved !== undefined, step: run.step });
    await this.#commit(run);
    const pending = pendingCalls(run);
    if (pending.length > 0) {
      // It died while acting: the calls its last step planned run again, with the same
      // idempotency keys (same thread, step, position and arguments), then the loop goes on.
      this.lifecycle.send({ type: 'agent.act', toolCalls: pending.length });
      this.#act(run, pending, undefined);
    } else {
      this.#next(run);
    }
    return undefined;
  }

  /** Handles one signal; resolves with the result when the task finished in this turn. */
  async handle(signal: AgentSignal): Promise<AgentResult | undefined> {
    const run = this.run;
    if (run === undefined || signal.runId !== run.id) return undefined; // a stale completion
    try {
      return await this.#dispatch(run, signal);
    } catch (error) {
      // A budget or guard that refused in the middle of a turn ends the agent as its decision:
      // the lifecycle records it and the event says which budget. Anything else (a store that
      // failed, a bug) is a crash, reported as one; a failure already recorded only leaves.
      if (this.run === run && isAgentError(error)) this.#fail(run, error);
      throw error;
    }
  }

  #dispatch(
    run: Run,
    signal: AgentSignal,
  ): Promise<AgentResult | undefined> | AgentResult | undefined {
    switch (signal.kind) {
      case 'step':
        return this.#step(run);
      case 'model':
        return this.#onModel(run, signal.payload as ModelOutcome);
      case 'tools':
        return this.#onTools(run, signal.payload as ToolsOutcome);
      case 'approval':
        this.#onApproval(signal.payload as ApprovalPhase);
        return undefined;
      case 'compacted':
        return this.#onCompacted(run, signal.payload as unknown);
      case 'wall': {
        const limit = this.runtime.spec.limits.wallMs as number;
        return this.#fail(
          run,
          budgetExceeded({
            budget: 'wallMs',
            limit,
            spent: run.meter.spent(this.ctx.now()).wallMs,
          }),
        );
      }
      case 'fail':
        return this.#fail(run, signal.payload);
      default:
        return undefined;
    }
  }

  /** Cancels the task in flight: its calls are aborted, its caller told `cancelled`. */
  async cancel(): Promise<boolean> {
    const run = this.run;
    if (run === undefined) return false;
    this.lifecycle.send({ type: 'agent.cancel' });
    this.#close(run);
    const result = this.#result(run, 'cancelled', '');
    this.answer(run.origin, result);
    for (const awaiter of run.awaiters) this.ctx.reply(awaiter, result);
    this.#publish('agent.cancelled', { threadId: run.threadId, step: run.step });
    return true;
  }

  answerCall(from: CallRequest, result: AgentResult): void {
    this.ctx.reply(from, result);
  }

  answer(origin: Origin, result: AgentResult): void {
    if (origin.kind === 'call') this.ctx.reply(origin.from, result);
    else if (origin.kind === 'cast') {
      const message: AgentReply = { $agent: 'reply', tag: origin.tag, result };
      this.ctx.send(origin.replyTo, message);
    }
  }

  #step(run: Run): AgentResult | undefined {
    const { ctx, runtime } = this;
    run.meter.check(ctx.now());
    run.meter.admit('steps');
    const compaction = runtime.spec.compaction;
    if (compaction !== false && run.over(compaction.threshold * runtime.spec.contextWindow)) {
      this.#compact(run);
      return undefined;
    }
    this.#callModel(run);
    return undefined;
  }

  #callModel(run: Run): void {
    const { ctx, runtime } = this;
    const model = runtime.spec.models[run.modelIndex];
    if (model === undefined) return;
    run.calling();
    const request = {
      system: runtime.spec.system,
      // A copy: the ledger grows in place, and a client may keep the request it was given.
      messages: [...run.ledger.messages],
      tools: runtime.toolSpecs,
      maxOutputTokens: runtime.spec.maxOutputTokens,
      signal: run.controller.signal,
    };
    Promise.resolve()
      .then(() => model.generate(request))
      .then(
        (response): ModelOutcome => ({ ok: true, response }),
        (error: unknown): ModelOutcome => ({ ok: false, error }),
      )
      .then((outcome) => ctx.send(ctx.self, new AgentSignal('model', run.id, outcome)));
  }

  async #onModel(run: Run, outcome: ModelOutcome): Promise<AgentResult | undefined> {
    if (!outcome.ok) return this.#onModelError(run, outcome.error);
    const response = outcome.response;
    run.meter.chargeModel(response.model, response.usage);
    this.#report(response);
    run.measured(response.usage.inputTokens);
    run.meter.chargeStep();
    run.step++;
    run.contextRetried = false;
    const calls = response.content.filter((p): p is ToolCallPart => p.type === 'tool-call');
    const text = response.content
      .filter((p) => p.type === 'text')
      .map((p) => (p as { text: string }).text)
      .join('');
    this.#publish('agent.step', {
      threadId: run.threadId,
      step: run.step,
      provider: this.runtime.spec.models[run.modelIndex]?.provider,
      model: response.model,
      usage: response.usage,
      finishReason: response.finishReason,
      toolCalls: calls.length,
    });
    if (response.content.length === 0 || (calls.length === 0 && text.trim() === '')) {
      // An empty answer is not a result: tell the model, count it, let the guard bound it.
      const verdict = run.guard.output('<empty response>');
      if (verdict.kind === 'exit') return this.#fail(run, verdict.error);
      run.ledger.append({ role: 'assistant', content: [{ type: 'text', text: '' }] });
      run.ledger.append(note('Your last response was empty. Answer the task, or call a tool.'));
      await this.#commit(run);
      this.#next(run);
      return undefined;
    }
    run.ledger.append({ role: 'assistant', content: response.content });
    if (calls.length === 0) {
      const verdict = run.guard.output(text);
      if (verdict.kind === 'exit') return this.#fail(run, verdict.error);
      return this.#finish(run, text);
    }
    // Admission is decided here, in the turn: a call over a budget or a loop ends the agent
    // before any tool of this step runs.
    let nudge: string | undefined;
    for (const call of calls) {
      run.meter.admit('toolCalls');
      run.meter.chargeToolCall();
      const verdict = run.guard.call(call.name, call.input);
      if (verdict.kind === 'exit') return this.#fail(run, verdict.error);
      if (verdict.kind === 'nudge') nudge = verdict.message;
    }
    this.lifecycle.send({ type: 'agent.act', toolCalls: calls.length });
    await this.#commit(run);
    this.#act(run, calls, nudge);
    return undefined;
  }

  async #onModelError(run: Run, error: unknown): Promise<AgentResult | undefined> {
    if (run.controller.signal.aborted) return undefined;
    const { runtime } = this;
    if (
      isModelCallError(error, 'context_length') &&
      runtime.spec.compaction !== false &&
      !run.contextRetried
    ) {
      run.contextRetried = true;
      this.#publish('agent.context_overflow', { threadId: run.threadId, step: run.step });
      this.#compact(run);
      return undefined;
    }
    if (
      isModelCallError(error) &&
      FALLBACK_KINDS.has(error.kind) &&
      run.modelIndex + 1 < runtime.spec.models.length
    ) {
      run.modelIndex++;
      const level = Math.min(run.modelIndex, this.lifecycle.context.maxLevel);
      this.lifecycle.send({ type: 'agent.degrade', level });
      this.#publish('agent.degraded', {
        threadId: run.threadId,
        level,
        kind: error.kind,
        model: runtime.spec.models[run.modelIndex]?.model,
      });
      this.#callModel(run);
      return undefined;
    }
    return this.#fail(run, error);
  }

  #act(run: Run, calls: readonly ToolCallPart[], nudge: string | undefined): void {
    const { ctx, runtime, gate } = this;
    const tools = runtime.spec.tools;
    const step = run.step;
    const agent = runtime.spec.name;
    // The lifecycle is the process's: the gate tells it through messages, in order.
    const hooks = {
      waiting: () => ctx.send(ctx.self, new AgentSignal('approval', run.id, { waiting: true })),
      answered: (approved: boolean) =>
        ctx.send(ctx.self, new AgentSignal('approval', run.id, { waiting: false, approved })),
      notify: (event: UnknownOutcomeEvent | ApprovalEvent) =>
        this.#publish(event.type, { threadId: run.threadId, ...event }),
    };
    (async () => {
      const outcomes: ToolCallOutcome[] = [];
      const journal: (EffectEntry | undefined)[] = [];
      for (const [index, call] of calls.entries()) {
        const idempotencyKey = idempotencyKeyOf(run.threadId, step, index, call);
        const outcome = await runToolCall(tools, call, {
          clock: ctx.node.clock,
          maxOutputChars: toolOutputChars(runtime.spec.contextWindow),
          signal: run.controller.signal,
          govern: (tool, input, execute) =>
            gate.run(
              {
                agent,
                threadId: run.threadId,
                tool,
                input,
                key: idempotencyKey,
                signal: run.controller.signal,
                now: () => ctx.now(),
                journaled: (entry) => {
                  journal[index] = entry;
                },
              },
              execute,
              hooks,
            ),
          context: {
            idempotencyKey,
            node: ctx.node,
            agent: ctx.self,
            threadId: run.threadId,
            spawnAgent: (key, agent, task, options) =>
              this.#subagents.spawn(run, key, agent, task, run.controller.signal, options),
          },
        });
        outcomes.push(outcome);
        if (run.controller.signal.aborted) return;
      }
      ctx.send(
        ctx.self,
        new AgentSignal('tools', run.id, { outcomes, journal, nudge } satisfies ToolsOutcome),
      );
    })().catch((error: unknown) => ctx.send(ctx.self, new AgentSignal('fail', run.id, error)));
  }

  /** A call waits for a person, or got its answer: the lifecycle shows it (status still answers). */
  #onApproval(phase: ApprovalPhase): void {
    if (phase.waiting) this.lifecycle.send({ type: 'agent.approval_required' });
    else this.lifecycle.send({ type: phase.approved ? 'agent.approved' : 'agent.rejected' });
  }

  async #onTools(
    run: Run,
    { outcomes, journal, nudge }: ToolsOutcome,
  ): Promise<AgentResult | undefined> {
    const results: ToolResultPart[] = outcomes.map((o) => o.result);
    for (const [index, outcome] of outcomes.entries()) {
      const entry = journal[index];
      this.#publish('agent.tool_call', {
        threadId: run.threadId,
        step: run.step,
        tool: outcome.result.name,
        outcome: outcome.error === undefined ? 'ok' : outcome.error.code,
        effect: this.runtime.spec.tools.get(outcome.result.name)?.effect,
        key: entry?.key,
        journal: entry?.state,
        decidedBy: entry?.decidedBy,
      });
    }
    run.ledger.append({ role: 'tool', content: results });
    if (nudge !== undefined) run.ledger.append(note(nudge));
    this.lifecycle.send({ type: 'agent.observe' });
    await this.#commit(run);
    this.#next(run);
    return undefined;
  }

  #compact(run: Run): void {
    const { ctx, runtime } = this;
    const options = runtime.spec.compaction;
    if (options === false) return;
    // The last call's measured error is worked out against the context it was made with, which
    // the compaction is about to rewrite.
    run.settleUncounted();
    this.lifecycle.send({ type: 'agent.compact' });
    const model = runtime.spec.models[run.modelIndex];
    const env = {
      ledger: run.ledger,
      target: (options.threshold * runtime.spec.contextWindow) / 2,
      keepRecent: options.keepRecent,
      threadId: run.threadId,
      step: run.step,
      memory: runtime.memory,
      summarise: async (messages: readonly Message[]) => {
        if (model === undefined)
          throw new AgentError('ERR_CONTEXT_OVERFLOW', 'no model to summarise with');
        const response = await model.generate({
          system: SUMMARY_SYSTEM,
          messages: [note(messages.map(renderForSummary).join('\n'))],
          maxOutputTokens: 1024,
          signal: run.controller.signal,
        });
        run.meter.chargeModel(response.model, response.usage);
        this.#report(response);
        return response.content
          .filter((p) => p.type === 'text')
          .map((p) => (p as { text: string }).text)
          .join('');
      },
    };
    // Checkpoint first: a compaction that goes wrong never loses the context it started from.
    this.#commit(run)
      .then(() => compact(env, options.strategies))
      .then(
        (report) => ({ ok: true, report }),
        (error: unknown) => ({ ok: false, error }),
      )
      .then((outcome) => ctx.send(ctx.self, new AgentSignal('compacted', run.id, outcome)));
  }

  async #onCompacted(run: Run, outcome: unknown): Promise<AgentResult | undefined> {
    const { runtime } = this;
    const ok = (outcome as { ok: boolean }).ok;
    const tokens = run.ledger.tokens + run.uncounted;
    const fits = tokens + runtime.spec.maxOutputTokens <= runtime.spec.contextWindow;
    const underThreshold =
      runtime.spec.compaction !== false &&
      tokens <= runtime.spec.compaction.threshold * runtime.spec.contextWindow;
    if (ok && underThreshold) {
      this.lifecycle.send({ type: 'agent.compacted' });
      this.#publish('agent.compacted', {
        threadId: run.threadId,
        ...(outcome as { report: object }).report,
      });
    } else {
      this.lifecycle.send({ type: 'agent.compaction_failed' });
      this.#publish('agent.compaction_failed', {
        threadId: run.threadId,
        tokens: run.ledger.tokens,
      });
      if (!fits) {
        return this.#fail(
          run,
          new AgentError(
            'ERR_CONTEXT_OVERFLOW',
            `context of ${run.ledger.tokens} tokens does not fit the window of ${runtime.spec.contextWindow}`,
            { detail: { tokens: run.ledger.tokens, window: runtime.spec.contextWindow } },
          ),
        );
      }
    }
    await this.#commit(run);
    this.#callModel(run);
    return undefined;
  }

  async #finish(run: Run, text: string): Promise<AgentResult> {
    this.lifecycle.send({ type: 'agent.answer' });
    const result = this.#result(run, 'done', text);
    await this.#commit(run, result);
    this.#close(run);
    this.answer(run.origin, result);
    for (const awaiter of run.awaiters) this.ctx.reply(awaiter, result);
    this.#publish('agent.finished', {
      threadId: run.threadId,
      steps: run.step,
      spent: result.spent,
      // The answer, bounded: quality checks score it from the event stream alone.
      text: text.length > MAX_EVENT_TEXT ? `${text.slice(0, MAX_EVENT_TEXT)}...` : text,
    });
    return result;
  }

  /** Ends the agent: the lifecycle records the failure, then the error leaves the turn. */
  #fail(run: Run, error: unknown): never {
    const reason = error instanceof Error ? error.message : String(error);
    this.lifecycle.send({ type: 'agent.failed', reason });
    this.#close(run);
    const code = (error as { code?: unknown } | null)?.code;
    this.#publish(code === 'ERR_BUDGET_EXCEEDED' ? 'agent.budget_exceeded' : 'agent.failed', {
      threadId: run.threadId,
      step: run.step,
      code,
      reason,
      detail: (error as { detail?: unknown } | null)?.detail,
    });
    throw error;
  }

  #close(run: Run): void {
    run.controller.abort(TASK_ENDED);
    this.ctx.signal.removeEventListener('abort', run.abortWithProcess);
    if (run.wallTimer !== undefined) this.ctx.cancelTimer(run.wallTimer);
    this.run = undefined;
  }

  #result(run: Run, outcome: AgentResult['outcome'], text: string): AgentResult {
    return {
      threadId: run.threadId,
      outcome,
      text,
      steps: run.step,
      spent: run.meter.spent(this.ctx.now()),
    };
  }

  async #commit(run: Run, result?: AgentResult): Promise<void> {
    const checkpoint = run.checkpoint(
      this.runtime.spec.name,
      this.lifecycle,
      this.ctx.now(),
      result,
    );
    // What the commit holds is the context as it is now, whatever changes while it is written.
    const { length, epoch } = run.ledger;
    const started = this.ctx.now();
    await this.runtime.checkpoints.commit(checkpoint, {
      expectedHead: run.head,
      unchangedBefore: run.unchangedSinceHead(),
    });
    run.committed(checkpoint.version, length, epoch);
    this.#publish('agent.checkpoint', {
      threadId: run.threadId,
      step: run.step,
      version: checkpoint.version,
      ms: this.ctx.now() - started,
    });
  }

  #next(run: Run): void {
    this.ctx.send(this.ctx.self, new AgentSignal('step', run.id, undefined));
  }

  /**
   * What a model call spent, reported up the tree (`ctx.report`): a supervisor's `meters` bound a
   * whole subtree across restarts, where the run's budget bounds one task. A subagent reports its
   * own calls, which pass over this agent to the same supervisors, so they are not reported again
   * here. A figure a provider got wrong (not a finite count) is not reported rather than crash.
   */
  #report(response: ModelResponse): void {
    const { usage, model } = response;
    const tokens = usage.inputTokens + usage.outputTokens;
    if (Number.isFinite(tokens) && tokens >= 0) this.ctx.report('tokens', tokens);
    const cost = costOf(this.runtime.spec.prices, model, usage);
    if (cost !== undefined && Number.isFinite(cost) && cost >= 0) this.ctx.report('costUsd', cost);
  }

  #publish(type: string, fields: Record<string, unknown>): void {
    if (!this.ctx.node.observed) return;
    const event = { type, agent: this.runtime.spec.name, ...fields };
    this.ctx.publish(event);
  }
}

/**
 * How much of one tool result enters the context: at most a quarter of the window (at a
 * conservative three characters a token) and never more than `MAX_TOOL_OUTPUT_CHARS`, so one
 * oversized result can never fill a context that compaction must keep it in.
 */
function toolOutputChars(contextWindow: number): number {
  return Math.max(1_000, Math.min(MAX_TOOL_OUTPUT_CHARS, Math.floor(contextWindow * 0.75)));
}

/** The tool calls of the last message when their results never came back (a resumed run). */
function pendingCalls(run: Run): ToolCallPart[] {
  const last = run.ledger.messages.at(-1);
  if (last?.role !== 'assistant') return [];
  return last.content.filter((p): p is ToolCallPart => p.type === 'tool-call');
}

function note(text: string): Message {
  return { role: 'user', content: [{ type: 'text', text }] };
}

function renderForSummary(message: Message): string {
  return message.content.map((part: Part) => `${message.role}: ${partText(part)}`).join('\n');
}

function partText(part: Part): string {
  switch (part.type) {
    case 'text':
      return part.text;
    case 'tool-call':
      return `called ${part.name} ${safeJson(part.input)}`;
    case 'tool-result':
      return `${part.name} -> ${safeJson(part.output)}`;
  }
}

function safeJson(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? '').slice(0, 2000);
  } catch {
    return String(value);
  }
}

/**
 * The key a tool call's effects are deduplicated by: the thread, the step, the call's position
 * and its canonical arguments, hashed once; arguments without a canonical form are keyed by
 * their JSON text instead.
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
    return canonicalHash([threadId, step, index, call.name, safeJson(call.input)]);
  }
}
