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
import { type ExitReason, formatReason } from '@warden/core';
import { ApprovalSpans } from './approval-spans.js';
import { count, EVENT_FIELDS, fieldAttributes, text } from './attributes.js';
import type { EpochOf } from './span-clock.js';
import { usageAttributes } from './usage-attributes.js';

type Fields = Readonly<Record<string, unknown>>;

/**
 * The spans of one agent task in flight: the task (`invoke_agent`), its current step (`chat`,
 * opened lazily at `stepStart` when something needs it as a parent or the step ends, so a final
 * answer leaves no empty step), its tool calls and the decisions made inside it.
 */
export class TaskTrace {
  readonly task: Span;
  readonly context: Context;
  #step: Span | undefined;
  #stepContext: Context | undefined;
  #stepStart: number | undefined;
  /** The step whose tool calls are out, when they went out, and how many are left. */
  #acting: Context | undefined;
  #actStart: number;
  #pendingTools = 0;
  /** A resumed task's first step carries the task's causes as links too. */
  #firstStepLinks: Link[] | undefined;
  /** The code of the error the process crashed with, if it did. */
  #crashCode: string | undefined;
  /** Tool calls waiting for a person, made into spans under their call. */
  readonly #approvals: ApprovalSpans;

  constructor(
    readonly tracer: Tracer,
    readonly epoch: EpochOf,
    readonly agent: string,
    time: number,
    links: Link[],
    attributes: Fields,
    parent: Context = ROOT_CONTEXT,
  ) {
    this.task = tracer.startSpan(
      `invoke_agent ${agent}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: epoch(time),
        links,
        attributes: {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.agent.name': agent,
          ...(attributes as Record<string, string | number | boolean>),
        },
      },
      parent,
    );
    this.context = trace.setSpan(ROOT_CONTEXT, this.task);
    this.#approvals = new ApprovalSpans(tracer, epoch, agent);
    this.#stepStart = time;
    this.#actStart = time;
    this.#firstStepLinks = links.length > 0 ? links : undefined;
  }

  /** The context a decision nests under: the current step, else the acting step, else the task. */
  current(time: number): Context {
    if (this.#stepContext !== undefined) return this.#stepContext;
    if (this.#stepStart === undefined) return this.#acting ?? this.context;
    const step = this.tracer.startSpan(
      'chat',
      {
        kind: SpanKind.CLIENT,
        startTime: this.epoch(Math.min(this.#stepStart, time)),
        ...(this.#firstStepLinks === undefined ? {} : { links: this.#firstStepLinks }),
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.agent.name': this.agent },
      },
      this.context,
    );
    this.#firstStepLinks = undefined;
    this.#step = step;
    this.#stepContext = trace.setSpan(this.context, step);
    return this.#stepContext;
  }

  /** `agent.step`: the step's model answered; its tool calls, if any, go out now. */
  step(event: Fields, time: number): void {
    const context = this.current(time);
    const span = this.#step as Span;
    const model = text(event.model, '');
    span.updateName(`chat ${model}`);
    if (typeof event.provider === 'string')
      span.setAttribute('gen_ai.provider.name', event.provider);
    span.setAttributes({
      'gen_ai.response.model': model,
      'gen_ai.response.finish_reasons': [text(event.finishReason, 'other')],
      'warden.agent.step': count(event.step),
      'warden.agent.tool_calls': count(event.toolCalls),
      ...usageAttributes(event.usage),
    });
    this.#closeStep(time, undefined);
    const toolCalls = count(event.toolCalls);
    if (toolCalls > 0) {
      this.#acting = context;
      this.#actStart = time;
      this.#pendingTools = toolCalls;
      this.#stepStart = undefined;
    } else {
      this.#stepStart = time;
    }
  }

  /** `governance.approval_requested`: a call of the acting step waits for a person. */
  approvalRequested(event: Fields, time: number): void {
    this.#approvals.requested(event, time);
  }

  /** `governance.approval_decided`: its answer. */
  approvalDecided(event: Fields, time: number): void {
    this.#approvals.decided(event, time);
  }

  /**
   * `agent.tool_call`: one call of the acting step came back, with its tool's effect and where
   * its journal entry stands (`done`, `denied`, `failed`, `unknown`) and who decided it ran.
   */
  toolCall(event: Fields, time: number): void {
    const tool = text(event.tool, 'tool');
    const outcome = text(event.outcome, 'ok');
    const parent = this.#acting ?? this.context;
    // A resumed run settles the calls its last step planned before any step of its own.
    const span = this.tracer.startSpan(
      `execute_tool ${tool}`,
      {
        startTime: this.epoch(Math.min(this.#actStart, time)),
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': tool,
          'gen_ai.agent.name': this.agent,
          'warden.tool.outcome': outcome,
          'warden.agent.step': count(event.step),
          ...journalAttributes(event),
        },
      },
      parent,
    );
    if (outcome !== 'ok') {
      span.setAttribute('error.type', outcome);
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    }
    this.#approvals.under(trace.setSpan(parent, span), event.key, time);
    span.end(this.epoch(time));
    this.#pendingTools--;
    if (this.#pendingTools <= 0) {
      this.#acting = undefined;
      this.#pendingTools = 0;
      this.#stepStart = time;
    }
  }

  /** A decision without a duration of its own: a zero-length span inside the current step. */
  decision(name: string, event: Fields, time: number, failed: boolean): void {
    const at = this.epoch(time);
    const span = this.tracer.startSpan(
      name,
      {
        startTime: at,
        attributes: {
          'gen_ai.agent.name': this.agent,
          ...fieldAttributes('warden', event, EVENT_FIELDS),
        },
      },
      this.current(time),
    );
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: name });
    span.end(at);
  }

  /** Anything else the agent's process publishes is a moment in its current step. */
  note(event: Fields & { type: string }, time: number): void {
    trace
      .getSpan(this.current(time))
      ?.addEvent(event.type, fieldAttributes('warden', event, EVENT_FIELDS), this.epoch(time));
  }

  /**
   * The process crashed: its step failed there (the task ends with the exit that follows). A
   * budget the step admission refused ends the agent this way, not through an event of its own,
   * so the crash's code is what tells it.
   */
  crash(reason: ExitReason, time: number): void {
    const error = typeof reason === 'object' && reason.tag === 'error' ? reason : undefined;
    this.#crashCode = error?.code;
    if (error?.code === 'ERR_BUDGET_EXCEEDED') {
      this.decision(
        'agent.budget_exceeded',
        { code: error.code, reason: error.message },
        time,
        true,
      );
    }
    if (this.#stepStart !== undefined) this.current(time);
    this.#closeStep(time, formatReason(reason));
    this.#stepStart = undefined;
  }

  /** Ends the task (and a step in flight), failed when `error` says why. */
  end(time: number, error: string | undefined, event: Fields | undefined): void {
    this.#approvals.flush(this.#acting ?? this.context, time, error);
    // A step in flight when the task failed is shown failed, though nothing needed it open.
    if (error !== undefined && this.#stepStart !== undefined) this.current(time);
    this.#closeStep(time, error);
    if (error !== undefined) {
      const code = event?.code;
      this.task.setAttribute(
        'error.type',
        typeof code === 'string' ? code : (this.#crashCode ?? 'exit'),
      );
      this.task.setStatus({ code: SpanStatusCode.ERROR, message: error });
    }
    const steps = event?.steps ?? event?.step;
    if (typeof steps === 'number') this.task.setAttribute('warden.agent.steps', steps);
    this.task.end(this.epoch(time));
  }

  #closeStep(time: number, error: string | undefined): void {
    if (this.#step === undefined) return;
    if (error !== undefined) this.#step.setStatus({ code: SpanStatusCode.ERROR, message: error });
    this.#step.end(this.epoch(time));
    this.#step = undefined;
    this.#stepContext = undefined;
  }
}

/**
 * What `agent.tool_call` says of the call's governance, as attributes: the tool's effect, and its
 * journal entry (a call refused before the gate, an unknown tool, has none).
 */
function journalAttributes(event: Fields): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof event.effect === 'string') out['warden.tool.effect'] = event.effect;
  if (typeof event.journal === 'string') out['warden.journal.state'] = event.journal;
  if (typeof event.key === 'string') out['warden.journal.key'] = event.key;
  if (typeof event.decidedBy === 'string') out['warden.tool.decided_by'] = event.decidedBy;
  return out;
}
