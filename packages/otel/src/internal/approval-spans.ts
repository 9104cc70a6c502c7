import { type Context, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { count, text } from './attributes.js';
import type { EpochOf } from './span-clock.js';

type Fields = Readonly<Record<string, unknown>>;

interface Waiting {
  readonly requested: Fields;
  readonly at: number;
  decided: Fields | undefined;
  decidedAt: number;
}

/** Calls waiting for a person that one task remembers at most (a step rarely has more). */
const MAX_WAITING = 64;

/**
 * The approvals of one task's tool calls: `governance.approval_requested` to
 * `governance.approval_decided`. The call's span is made when it reports back
 * (`agent.tool_call`), after its wait, so the wait is remembered by the call's journal key and
 * made then, as its child: `approval.wait <tool>` over the wait, and `approval.decision`, a
 * zero-length span at the answer saying what was decided and by whom. A wait whose call never
 * reported (the task was cancelled, or its process died) is made when the task ends; one still
 * unanswered then was withdrawn with it (the desk withdraws a request when its task's signal
 * aborts): by `cancel`, or by `exit`, failed, when the task failed.
 */
export class ApprovalSpans {
  readonly #waiting = new Map<string, Waiting>();

  constructor(
    readonly tracer: Tracer,
    readonly epoch: EpochOf,
    readonly agent: string,
  ) {}

  requested(event: Fields, time: number): void {
    if (this.#waiting.size >= MAX_WAITING) return;
    this.#waiting.set(keyOf(event), {
      requested: event,
      at: time,
      decided: undefined,
      decidedAt: time,
    });
  }

  decided(event: Fields, time: number): void {
    const waiting = this.#waiting.get(keyOf(event));
    if (waiting === undefined) return;
    waiting.decided = event;
    waiting.decidedAt = time;
  }

  /** The wait of the call with journal `key`, if it had one, under that call's span. */
  under(parent: Context, key: unknown, time: number): void {
    if (typeof key !== 'string') return;
    const waiting = this.#waiting.get(key);
    if (waiting === undefined) return;
    this.#waiting.delete(key);
    if (waiting.decided === undefined) waiting.decidedAt = time;
    this.#make(parent, waiting, undefined);
  }

  /** The waits left when the task ends (failed: `error` says why), under `parent`. */
  flush(parent: Context, time: number, error: string | undefined): void {
    for (const waiting of this.#waiting.values()) {
      if (waiting.decided === undefined) {
        waiting.decided = { decision: 'withdrawn', by: error === undefined ? 'cancel' : 'exit' };
        waiting.decidedAt = time;
      }
      this.#make(parent, waiting, error);
    }
    this.#waiting.clear();
  }

  #make(parent: Context, waiting: Waiting, error: string | undefined): void {
    const { requested, decided } = waiting;
    const tool = text(requested.tool, 'tool');
    const end = waiting.decidedAt;
    const span = this.tracer.startSpan(
      `approval.wait ${tool}`,
      {
        startTime: this.epoch(waiting.at),
        attributes: {
          'gen_ai.agent.name': this.agent,
          'gen_ai.tool.name': tool,
          'warden.tool.effect': text(requested.effect, ''),
          'warden.journal.key': text(requested.key, ''),
          'warden.approval.request_id': text(requested.requestId, ''),
          'warden.approval.kind': text(requested.kind, 'call'),
          'warden.approval.rule': text(requested.rule, ''),
          'warden.approval.wait_ms': count(end - waiting.at),
        },
      },
      parent,
    );
    if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    if (decided !== undefined) {
      const decision = text(decided.decision, '');
      const by = text(decided.by, '');
      span.setAttributes({ 'warden.approval.decision': decision, 'warden.approval.by': by });
      const at = this.epoch(waiting.decidedAt);
      this.tracer
        .startSpan(
          'approval.decision',
          {
            startTime: at,
            attributes: {
              'gen_ai.agent.name': this.agent,
              'gen_ai.tool.name': tool,
              'warden.approval.decision': decision,
              'warden.approval.by': by,
            },
          },
          trace.setSpan(parent, span),
        )
        .end(at);
    }
    span.end(this.epoch(end));
  }
}

function keyOf(event: Fields): string {
  return text(event.key, text(event.requestId, ''));
}
