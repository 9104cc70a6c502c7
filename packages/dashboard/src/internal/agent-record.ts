import type { LifecycleState, TraceItem } from '../dashboard-snapshot.js';
import { boundedText, count, field } from './bounded-text.js';
import { Ring } from './ring.js';

type Fields = Readonly<Record<string, unknown>>;

/** How much of a note (a failure reason, a degradation) a trace keeps. */
const NOTE_CHARS = 500;
/** How much of an answer a trace keeps (the runtime already cuts it at 4 000). */
const ANSWER_CHARS = 4_000;

/**
 * What the dashboard knows of one agent, from the `agent.*` events it publishes: its lifecycle
 * state as those events imply it (the runtime's statechart is not published transition by
 * transition), its level, thread and step, the tokens it spent, and its last steps.
 */
export class AgentRecord {
  state: LifecycleState = 'idle';
  level = 0;
  threadId: string | undefined;
  step = 0;
  tokens = 0;
  readonly trace: Ring<TraceItem>;

  constructor(
    readonly name: string,
    traceLength: number,
  ) {
    this.trace = new Ring(traceLength);
  }

  /** Applies one `agent.*` event; returns the tokens it reports spent (0 for most). */
  apply(type: string, event: Fields, time: number): number {
    switch (type) {
      case 'agent.task_started':
        this.threadId = field(event, 'threadId') || undefined;
        this.step = count(event, 'step');
        this.level = 0;
        this.state = 'planning';
        this.trace.push({
          kind: 'task',
          time,
          threadId: field(event, 'threadId'),
          resumed: event.resumed === true,
        });
        return 0;
      case 'agent.step': {
        const usage = (event.usage ?? {}) as Fields;
        const input = count(usage, 'inputTokens');
        const output = count(usage, 'outputTokens');
        const toolCalls = count(event, 'toolCalls');
        this.step = count(event, 'step');
        this.tokens += input + output;
        if (toolCalls > 0) this.state = 'acting';
        this.trace.push({
          kind: 'model',
          time,
          step: this.step,
          model: field(event, 'model'),
          inputTokens: input,
          outputTokens: output,
          finishReason: field(event, 'finishReason'),
          toolCalls,
        });
        return input + output;
      }
      case 'agent.tool_call':
        this.state = this.#planning();
        this.trace.push({
          kind: 'tool',
          time,
          step: count(event, 'step'),
          tool: field(event, 'tool'),
          outcome: field(event, 'outcome'),
        });
        return 0;
      case 'agent.finished':
        this.state = 'done';
        this.trace.push({ kind: 'answer', time, text: boundedText(event.text, ANSWER_CHARS) });
        return 0;
      case 'agent.failed':
      case 'agent.budget_exceeded':
        this.state = 'failed';
        this.#note(type, event.reason, time);
        return 0;
      case 'agent.cancelled':
        this.state = 'idle';
        this.#note(type, '', time);
        return 0;
      case 'agent.degraded':
        this.level = count(event, 'level');
        this.state = 'degraded';
        this.#note(
          type,
          `level ${this.level}: ${field(event, 'model')} (${field(event, 'kind')})`,
          time,
        );
        return 0;
      case 'agent.context_overflow':
        this.state = 'compacting';
        this.#note(type, '', time);
        return 0;
      case 'agent.compacted':
        this.state = this.#planning();
        this.#note(type, '', time);
        return 0;
      case 'agent.compaction_failed':
        this.state = 'degraded';
        this.#note(type, '', time);
        return 0;
      case 'agent.checkpoint':
        // Two a step: the trace shows the steps they save, not each save.
        return 0;
      default:
        this.#note(type, '', time);
        return 0;
    }
  }

  /** A process of it exited: the trace says so. */
  exited(reason: string, time: number): void {
    this.trace.push({ kind: 'exit', time, reason });
  }

  crashed(reason: string, time: number): void {
    this.#note('actor.crashed', reason, time);
  }

  /** A new process took over (a restart): it starts idle, the trace and the tokens carry on. */
  restarted(): void {
    this.state = 'idle';
    this.level = 0;
    this.threadId = undefined;
    this.step = 0;
  }

  /** Takes what another record saw first (the new process published before it was adopted). */
  absorb(other: AgentRecord): void {
    this.state = other.state;
    this.level = other.level;
    this.threadId = other.threadId;
    this.step = other.step;
    this.tokens += other.tokens;
    for (const item of other.trace.toArray()) this.trace.push(item);
  }

  #planning(): LifecycleState {
    return this.level > 0 ? 'degraded' : 'planning';
  }

  #note(event: string, text: unknown, time: number): void {
    this.trace.push({ kind: 'note', time, event, text: boundedText(text ?? '', NOTE_CHARS) });
  }
}
