import { type Context, type Link, type Tracer, trace } from '@opentelemetry/api';
import type { ExitReason, Pid } from '@warden/core';
import { activeSpanContext } from './active-context.js';
import { count, text } from './attributes.js';
import { BoundedMap } from './bounded-map.js';
import type { EpochOf } from './span-clock.js';
import { TaskTrace } from './task-trace.js';

type Fields = Readonly<Record<string, unknown>>;

/** Caps on what is remembered between events (threads long gone). */
const REMEMBERED = 4096;
/** How far up the spawn tree a subagent's spawning agent is looked for. */
const SPAWNER_HOPS = 4;

/**
 * Spans of the agent layer, built from the events an agent publishes: a task (`invoke_agent`)
 * from `agent.task_started` to its end, a step (`chat`) from the end of the previous step or
 * observation to `agent.step`, a tool call (`execute_tool`) from the step that planned it to
 * `agent.tool_call`. The events carry no start of a model call or of a tool, so these bounds are
 * the tightest the stream gives (see docs/observability.md).
 */
export class AgentTraces {
  readonly #tasks = new Map<string, TaskTrace>();
  /** The last task span of each thread, so a resumed task links to the run it continues. */
  readonly #threads = new BoundedMap<string, Context>(REMEMBERED);
  /** Who spawned each live process, to find the agent whose tool call started a subagent. */
  readonly #parents = new BoundedMap<string, Pid>(REMEMBERED);

  constructor(
    readonly tracer: Tracer,
    readonly epoch: EpochOf,
    readonly restartOf: (pid: Pid) => Context | undefined,
  ) {}

  /** The context a decision about this process nests under: its current step, else its task. */
  contextOf(pid: Pid | undefined, time: number): Context | undefined {
    if (pid === undefined) return undefined;
    return this.#tasks.get(pid.key)?.current(time);
  }

  onPublished(pid: Pid | undefined, event: Fields & { type: string }, time: number): void {
    if (pid === undefined) return;
    if (event.type === 'agent.task_started') {
      this.#start(pid, event, time);
      return;
    }
    const task = this.#tasks.get(pid.key);
    if (task === undefined) return;
    switch (event.type) {
      case 'agent.step':
        task.step(event, time);
        return;
      case 'agent.tool_call':
        task.toolCall(event, time);
        return;
      case 'agent.finished':
        this.#end(pid, task, time, undefined, event);
        return;
      case 'agent.cancelled':
        task.task.setAttribute('warden.agent.cancelled', true);
        this.#end(pid, task, time, undefined, event);
        return;
      case 'agent.budget_exceeded':
        task.decision('agent.budget_exceeded', event, time, true);
        this.#end(pid, task, time, text(event.reason, 'budget exceeded'), event);
        return;
      case 'agent.failed':
        this.#end(pid, task, time, text(event.reason, 'failed'), event);
        return;
      case 'agent.compacted':
        task.decision('agent.compaction', event, time, false);
        return;
      case 'agent.compaction_failed':
        task.decision('agent.compaction', event, time, true);
        return;
      case 'agent.degraded':
        task.decision('agent.degrade', event, time, false);
        return;
      case 'governance.approval_requested':
        task.approvalRequested(event, time);
        return;
      case 'governance.approval_decided':
        task.approvalDecided(event, time);
        return;
      case 'agent.checkpoint':
        // A metric (its latency): as an event it would open a step span of its own.
        return;
      default:
        task.note(event, time);
    }
  }

  onSpawned(pid: Pid, parent: Pid | undefined): void {
    if (parent !== undefined) this.#parents.set(pid.key, parent);
  }

  onCrash(pid: Pid, reason: ExitReason, time: number): void {
    this.#tasks.get(pid.key)?.crash(reason, time);
  }

  /**
   * The process ended: a task still open ends with it, failed unless the exit was normal.
   * Returns that task's span, the cause of what the exit leads to (a kill mid-task leaves no
   * crash report); an idle agent's exit has none.
   */
  onExit(pid: Pid, reason: string | undefined, time: number): Context | undefined {
    this.#parents.delete(pid.key);
    const task = this.#tasks.get(pid.key);
    if (task === undefined) return undefined;
    task.task.setAttribute('warden.exit.reason', reason ?? 'normal');
    this.#end(pid, task, time, reason, undefined);
    return task.context;
  }

  stop(time: number): void {
    for (const task of this.#tasks.values()) task.end(time, 'instrumentation stopped', undefined);
    this.#tasks.clear();
    this.#threads.clear();
    this.#parents.clear();
  }

  /**
   * The agent task a new task was started from: a subagent runs under a supervisor its parent
   * agent started, so the spawner is a few processes up. Its current context is the step whose
   * tool call spawned it.
   */
  #spawner(pid: Pid, time: number): { context: Context; pid: Pid } | undefined {
    let at = this.#parents.get(pid.key);
    for (let hop = 0; at !== undefined && hop < SPAWNER_HOPS; hop++) {
      const task = this.#tasks.get(at.key);
      if (task !== undefined) return { context: task.current(time), pid: at };
      at = this.#parents.get(at.key);
    }
    return undefined;
  }

  #start(pid: Pid, event: Fields, time: number): void {
    const previous = this.#tasks.get(pid.key);
    if (previous !== undefined) this.#end(pid, previous, time, 'superseded', undefined);
    const threadId = text(event.threadId, '');
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
    const spawner = this.#spawner(pid, time);
    const task = new TaskTrace(
      this.tracer,
      this.epoch,
      text(event.agent, 'agent'),
      time,
      links,
      {
        'gen_ai.conversation.id': threadId,
        'warden.pid': pid.toString(),
        'warden.agent.resumed': event.resumed === true,
        'warden.agent.step': count(event.step),
        ...(spawner === undefined ? {} : { 'warden.agent.spawned_by': spawner.pid.toString() }),
      },
      // A subagent nests under the step that spawned it; any other task under the context it was
      // asked in: the caller's span, carried in the call, from this node or another.
      spawner?.context ?? activeSpanContext(),
    );
    this.#threads.set(threadId, task.context);
    this.#tasks.set(pid.key, task);
  }

  #end(
    pid: Pid,
    task: TaskTrace,
    time: number,
    error: string | undefined,
    event: Fields | undefined,
  ): void {
    task.end(time, error, event);
    this.#tasks.delete(pid.key);
  }
}
