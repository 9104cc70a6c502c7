import {
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type ExitReason, formatReason, type Pid } from '@warden/core';
import { EVENT_FIELDS, fieldAttributes } from './attributes.js';
import { BoundedMap } from './bounded-map.js';
import type { EpochOf } from './span-clock.js';

/** What the instrumentation knows of one agent process's task in flight. */
interface AgentTrace {
  readonly agent: string;
  readonly task: Span;
  readonly taskContext: Context;
  /** The step being worked on, opened lazily at `stepStart` when something needs it. */
  step: Span | undefined;
  stepContext: Context | undefined;
  stepStart: number | undefined;
  /** The step whose tool calls are out, and when they went out. */
  actingContext: Context | undefined;
  actStart: number;
  pendingTools: number;
  /** A resumed task's first step carries the task's causes as links too. */
  firstStepLinks: Link[] | undefined;
  /** The code of the error the process crashed with, if it did. */
  crashCode: string | undefined;
}

type Fields = Readonly<Record<string, unknown>>;

/** Caps on what is remembered between events (pids and threads long gone). */
const REMEMBERED = 4096;

/**
 * Spans of the agent layer, built from the events an agent publishes: a task (`invoke_agent`)
 * from `agent.task_started` to its end, a step (`chat`) from the end of the previous step or
 * observation to `agent.step`, a tool call (`execute_tool`) from the step that planned it to
 * `agent.tool_call`. The events carry no start of a model call or of a tool, so these bounds are
 * the tightest the stream gives (see docs/observability.md).
 */
export class AgentTraces {
  readonly #agents = new Map<string, AgentTrace>();
  /** The last task span of each thread, so a resumed task links to the run it continues. */
  readonly #threads = new BoundedMap<string, Context>(REMEMBERED);

  constructor(
    readonly tracer: Tracer,
    readonly epoch: EpochOf,
    readonly restartOf: (pid: Pid) => Context | undefined,
  ) {}

  /** The context a decision about this process nests under: its current step, else its task. */
  contextOf(pid: Pid | undefined, time: number): Context | undefined {
    if (pid === undefined) return undefined;
    const state = this.#agents.get(pid.key);
    if (state === undefined) return undefined;
    return this.#openStep(state, time);
  }

  onPublished(pid: Pid | undefined, event: Fields & { type: string }, time: number): void {
    if (pid === undefined) return;
    if (event.type === 'agent.task_started') {
      this.#start(pid, event, time);
      return;
    }
    const state = this.#agents.get(pid.key);
    if (state === undefined) return;
    switch (event.type) {
      case 'agent.step':
        this.#step(state, event, time);
        return;
      case 'agent.tool_call':
        this.#toolCall(state, event, time);
        return;
      case 'agent.finished':
        this.#end(pid, state, time, undefined, event);
        return;
      case 'agent.cancelled':
        state.task.setAttribute('warden.agent.cancelled', true);
        this.#end(pid, state, time, undefined, event);
        return;
      case 'agent.budget_exceeded':
        this.decision(state, 'agent.budget_exceeded', event, time, true);
        this.#end(pid, state, time, String(event.reason ?? 'budget exceeded'), event);
        return;
      case 'agent.failed':
        this.#end(pid, state, time, String(event.reason ?? 'failed'), event);
        return;
      case 'agent.compacted':
        this.decision(state, 'agent.compaction', event, time, false);
        return;
      case 'agent.compaction_failed':
        this.decision(state, 'agent.compaction', event, time, true);
        return;
      case 'agent.degraded':
        this.decision(state, 'agent.degrade', event, time, false);
        return;
      default: {
        // Anything else published by the agent's process (retries, a context overflow, a policy
        // decision) is a moment in its current step.
        const step = this.#openStep(state, time);
        trace
          .getSpan(step)
          ?.addEvent(event.type, fieldAttributes('warden', event, EVENT_FIELDS), this.epoch(time));
      }
    }
  }

  /** A decision without a duration of its own: a zero-length span inside the current step. */
  decision(state: AgentTrace, name: string, event: Fields, time: number, failed: boolean): void {
    const at = this.epoch(time);
    const span = this.tracer.startSpan(
      name,
      {
        startTime: at,
        attributes: {
          'gen_ai.agent.name': state.agent,
          ...fieldAttributes('warden', event, EVENT_FIELDS),
        },
      },
      this.#openStep(state, time),
    );
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: name });
    span.end(at);
  }

  /**
   * The process crashed: its step failed there (the task ends with the exit that follows). A
   * budget the step admission refused ends the agent this way, not through an event of its own,
   * so the crash's code is what tells it.
   */
  onCrash(pid: Pid, reason: ExitReason, time: number): void {
    const state = this.#agents.get(pid.key);
    if (state === undefined) return;
    const code = typeof reason === 'object' && reason.tag === 'error' ? reason.code : undefined;
    state.crashCode = code;
    if (code === 'ERR_BUDGET_EXCEEDED') {
      const message = typeof reason === 'object' && reason.tag === 'error' ? reason.message : '';
      this.decision(state, 'agent.budget_exceeded', { code, reason: message }, time, true);
    }
    if (state.stepStart !== undefined) this.#openStep(state, time);
    if (state.step === undefined) return;
    state.step.setStatus({ code: SpanStatusCode.ERROR, message: formatReason(reason) });
    state.step.end(this.epoch(time));
    state.step = undefined;
    state.stepContext = undefined;
    state.stepStart = undefined;
  }

  /**
   * The process ended: a task still open ends with it, failed unless the exit was normal.
   * Returns that task's span, the cause of what the exit leads to (a kill mid-task leaves no
   * crash report); an idle agent's exit has none.
   */
  onExit(pid: Pid, reason: string | undefined, time: number): Context | undefined {
    const state = this.#agents.get(pid.key);
    if (state === undefined) return undefined;
    state.task.setAttribute('warden.exit.reason', reason ?? 'normal');
    this.#end(pid, state, time, reason, undefined);
    return state.taskContext;
  }

  stop(time: number): void {
    for (const [key, state] of this.#agents) {
      this.#closeStep(state, time, 'instrumentation stopped');
      state.task.end(this.epoch(time));
      this.#agents.delete(key);
    }
    this.#threads.clear();
  }

  #start(pid: Pid, event: Fields, time: number): void {
    const previous = this.#agents.get(pid.key);
    if (previous !== undefined) this.#end(pid, previous, time, 'superseded', undefined);
    const agent = String(event.agent ?? 'agent');
    const threadId = String(event.threadId ?? '');
    const links: Link[] = [];
    const restart = this.restartOf(pid);
    const restartSpan = restart === undefined ? undefined : trace.getSpanContext(restart);
    if (restartSpan !== undefined) {
      links.push({ context: restartSpan, attributes: { 'warden.link': 'restarted_by' } });
    }
    const before = this.#threads.get(threadId);
    const beforeSpan = before === undefined ? undefined : trace.getSpanContext(before);
    if (beforeSpan !== undefined && event.resumed === true) {
      links.push({ context: beforeSpan, attributes: { 'warden.link': 'resumes' } });
    }
    const task = this.tracer.startSpan(`invoke_agent ${agent}`, {
      kind: SpanKind.INTERNAL,
      startTime: this.epoch(time),
      links,
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': agent,
        'gen_ai.conversation.id': threadId,
        'warden.pid': pid.toString(),
        'warden.agent.resumed': event.resumed === true,
        'warden.agent.step': Number(event.step ?? 0),
      },
    });
    const taskContext = trace.setSpan(ROOT_CONTEXT, task);
    this.#threads.set(threadId, taskContext);
    this.#agents.set(pid.key, {
      agent,
      task,
      taskContext,
      step: undefined,
      stepContext: undefined,
      stepStart: time,
      actingContext: undefined,
      actStart: time,
      pendingTools: 0,
      firstStepLinks: links.length > 0 ? links : undefined,
      crashCode: undefined,
    });
  }

  #openStep(state: AgentTrace, time: number): Context {
    if (state.stepContext !== undefined) return state.stepContext;
    if (state.stepStart === undefined) return state.actingContext ?? state.taskContext;
    const step = this.tracer.startSpan(
      'chat',
      {
        kind: SpanKind.CLIENT,
        startTime: this.epoch(Math.min(state.stepStart, time)),
        ...(state.firstStepLinks === undefined ? {} : { links: state.firstStepLinks }),
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.agent.name': state.agent },
      },
      state.taskContext,
    );
    state.firstStepLinks = undefined;
    state.step = step;
    state.stepContext = trace.setSpan(state.taskContext, step);
    return state.stepContext;
  }

  #step(state: AgentTrace, event: Fields, time: number): void {
    const context = this.#openStep(state, time);
    const span = state.step as Span;
    const model = String(event.model ?? '');
    const usage = (event.usage ?? {}) as Record<string, unknown>;
    span.updateName(`chat ${model}`);
    span.setAttributes({
      'gen_ai.response.model': model,
      'gen_ai.response.finish_reasons': [String(event.finishReason ?? 'other')],
      'warden.agent.step': Number(event.step ?? 0),
      'warden.agent.tool_calls': Number(event.toolCalls ?? 0),
    });
    for (const [field, attribute] of USAGE_ATTRIBUTES) {
      const value = usage[field];
      if (typeof value === 'number' && Number.isFinite(value)) span.setAttribute(attribute, value);
    }
    span.end(this.epoch(time));
    state.step = undefined;
    state.stepContext = undefined;
    const toolCalls = Number(event.toolCalls ?? 0);
    if (toolCalls > 0) {
      state.actingContext = context;
      state.actStart = time;
      state.pendingTools = toolCalls;
      state.stepStart = undefined;
    } else {
      state.stepStart = time;
    }
  }

  #toolCall(state: AgentTrace, event: Fields, time: number): void {
    const tool = String(event.tool ?? 'tool');
    const outcome = String(event.outcome ?? 'ok');
    // A resumed run settles the calls its last step planned before any step of its own.
    const parent = state.actingContext ?? state.taskContext;
    const span = this.tracer.startSpan(
      `execute_tool ${tool}`,
      {
        startTime: this.epoch(Math.min(state.actStart, time)),
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': tool,
          'gen_ai.agent.name': state.agent,
          'warden.tool.outcome': outcome,
          'warden.agent.step': Number(event.step ?? 0),
        },
      },
      parent,
    );
    if (outcome !== 'ok') {
      span.setAttribute('error.type', outcome);
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    }
    span.end(this.epoch(time));
    state.pendingTools--;
    if (state.pendingTools <= 0) {
      state.actingContext = undefined;
      state.pendingTools = 0;
      state.stepStart = time;
    }
  }

  #closeStep(state: AgentTrace, time: number, error: string | undefined): void {
    if (state.step === undefined) return;
    if (error !== undefined) state.step.setStatus({ code: SpanStatusCode.ERROR, message: error });
    state.step.end(this.epoch(time));
    state.step = undefined;
    state.stepContext = undefined;
  }

  #end(
    pid: Pid,
    state: AgentTrace,
    time: number,
    error: string | undefined,
    event: Fields | undefined,
  ): void {
    // A step in flight when the task failed is shown failed, though nothing needed it open.
    if (error !== undefined && state.stepStart !== undefined) this.#openStep(state, time);
    this.#closeStep(state, time, error);
    const code = event?.code;
    if (error !== undefined) {
      state.task.setAttribute(
        'error.type',
        typeof code === 'string' ? code : (state.crashCode ?? 'exit'),
      );
      state.task.setStatus({ code: SpanStatusCode.ERROR, message: error });
    }
    const steps = event?.steps ?? event?.step;
    if (typeof steps === 'number') state.task.setAttribute('warden.agent.steps', steps);
    state.task.end(this.epoch(time));
    this.#agents.delete(pid.key);
  }
}

const USAGE_ATTRIBUTES: readonly (readonly [string, string])[] = [
  ['inputTokens', 'gen_ai.usage.input_tokens'],
  ['outputTokens', 'gen_ai.usage.output_tokens'],
  ['cacheReadTokens', 'gen_ai.usage.cache_read.input_tokens'],
  ['cacheWriteTokens', 'gen_ai.usage.cache_creation.input_tokens'],
  ['reasoningTokens', 'gen_ai.usage.reasoning.output_tokens'],
];
