import {
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type CrashReport, formatReason, type Pid, type SupervisorEvent } from '@warden/core';
import { activeSpanContext } from './active-context.js';
import { EVENT_FIELDS, fieldAttributes } from './attributes.js';
import { BoundedMap } from './bounded-map.js';
import type { EpochOf } from './span-clock.js';

const REMEMBERED = 4096;
/** How many recent restarts of one supervisor an escalation links to. */
const ESCALATION_LINKS = 16;

type Fields = Readonly<Record<string, unknown>>;

interface Hooks {
  /** The step or task span of an agent process, for decisions made inside it. */
  readonly contextOf: (pid: Pid | undefined, time: number) => Context | undefined;
}

/**
 * Spans of supervision and of the resilience pieces: a crash report (zero length, inside the
 * crashed agent's step), a restart (from the supervisor's decision to the child's start, nested
 * under what the child died of), an escalation, a breaker outage (from trip to close), a ladder
 * move and a spawn-once join. A decision is placed in the trace of its cause, and the process a
 * restart started remembers it, so its next task links back.
 */
export class SupervisionTraces {
  /** Crash span or ended task span of each process that ended abnormally. */
  readonly #causes = new BoundedMap<string, Context>(REMEMBERED);
  /** The restart that started each process. */
  readonly #startedBy = new BoundedMap<string, Context>(REMEMBERED);
  /** Restarts decided and not yet started, by supervisor and child id. */
  readonly #restarting = new BoundedMap<string, { span: Span; context: Context }>(REMEMBERED);
  /** The cause of each child exit a supervisor saw, by child id. */
  readonly #exits = new BoundedMap<string, Context | undefined>(REMEMBERED);
  /** The last restarts of each supervisor, and the cause of the last child exit. */
  readonly #history = new BoundedMap<string, { restarts: Link[]; cause: Context | undefined }>(
    REMEMBERED,
  );
  /** Open breaker outages by breaker name. */
  readonly #outages = new Map<string, Span>();

  constructor(
    readonly tracer: Tracer,
    readonly epoch: EpochOf,
    readonly hooks: Hooks,
  ) {}

  restartOf(pid: Pid): Context | undefined {
    return this.#startedBy.get(pid.key);
  }

  onCrash(report: CrashReport): void {
    const at = this.epoch(report.time);
    const reason = formatReason(report.reason);
    const span = this.tracer.startSpan(
      'actor.crash',
      {
        startTime: at,
        attributes: {
          'warden.pid': report.pid.toString(),
          'warden.crash.phase': report.phase,
          'warden.exit.reason': reason,
          ...(report.lastMessage === undefined
            ? {}
            : { 'warden.crash.last_message': report.lastMessage }),
        },
      },
      // Inside the crashed agent's step; a process with no task in the context its message
      // carried, which makes the crash a child of the sender's span.
      this.hooks.contextOf(report.pid, report.time) ?? activeSpanContext() ?? ROOT_CONTEXT,
    );
    span.recordException({ name: 'crash', message: reason, stack: report.stack ?? '' }, at);
    span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    span.end(at);
    this.#causes.set(report.pid.key, trace.setSpan(ROOT_CONTEXT, span));
  }

  /** A process ended abnormally in the middle of a task: without a crash report, that task is the cause. */
  onAbnormalExit(pid: Pid, task: Context | undefined): void {
    if (task === undefined || this.#causes.get(pid.key) !== undefined) return;
    this.#causes.set(pid.key, task);
  }

  onSupervisor(event: SupervisorEvent): void {
    const supervisor = event.supervisor.key;
    switch (event.type) {
      case 'supervisor.child_exited': {
        const cause = this.#causes.take(event.pid.key);
        this.#exits.set(`${supervisor}/${event.id}`, cause);
        this.#historyOf(supervisor).cause = cause;
        return;
      }
      case 'supervisor.restart': {
        const key = `${supervisor}/${event.id}`;
        const cause = this.#exits.take(key);
        const causeSpan = cause === undefined ? undefined : trace.getSpanContext(cause);
        const span = this.tracer.startSpan(
          `supervisor.restart ${event.id}`,
          {
            startTime: this.epoch(event.time),
            ...(causeSpan === undefined
              ? {}
              : { links: [{ context: causeSpan, attributes: { 'warden.link': 'caused_by' } }] }),
            attributes: {
              'warden.supervisor': event.supervisor.toString(),
              'warden.child.id': event.id,
              'warden.restart.delay_ms': event.delayMs,
            },
          },
          cause ?? ROOT_CONTEXT,
        );
        const context = trace.setSpan(ROOT_CONTEXT, span);
        this.#restarting.set(key, { span, context });
        const history = this.#historyOf(supervisor);
        history.restarts.push({ context: span.spanContext() });
        if (history.restarts.length > ESCALATION_LINKS) history.restarts.shift();
        return;
      }
      case 'supervisor.child_started': {
        const restart = this.#restarting.take(`${supervisor}/${event.id}`);
        if (restart === undefined) return;
        restart.span.setAttribute('warden.child.pid', event.pid.toString());
        restart.span.end(this.epoch(event.time));
        this.#startedBy.set(event.pid.key, restart.context);
        return;
      }
      case 'supervisor.start_failed': {
        const restart = this.#restarting.take(`${supervisor}/${event.id}`);
        if (restart === undefined) return;
        const reason = formatReason(event.reason);
        restart.span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
        restart.span.setAttribute('error.type', 'start_failed');
        restart.span.end(this.epoch(event.time));
        return;
      }
      case 'supervisor.escalated':
      case 'supervisor.meter_exceeded': {
        const history = this.#historyOf(supervisor);
        const at = this.epoch(event.time);
        const span = this.tracer.startSpan(
          event.type === 'supervisor.escalated'
            ? 'supervisor.escalate'
            : 'supervisor.meter_exceeded',
          {
            startTime: at,
            links: history.restarts.map((link) => ({
              ...link,
              attributes: { 'warden.link': 'counted_restart' },
            })),
            attributes: {
              'warden.supervisor': event.supervisor.toString(),
              ...fieldAttributes('warden', event, SUPERVISOR_FIELDS),
            },
          },
          history.cause ?? ROOT_CONTEXT,
        );
        span.setStatus({ code: SpanStatusCode.ERROR, message: event.type });
        span.end(at);
        return;
      }
      default:
        return;
    }
  }

  /** Decisions of the resilience pieces and breakers, published on the node. */
  onPublished(pid: Pid | undefined, event: Fields & { type: string }, time: number): boolean {
    switch (event.type) {
      case 'breaker.trip':
        this.#trip(event, time);
        return true;
      case 'breaker.half_open':
      case 'breaker.isolate':
        this.#outages
          .get(breakerName(event))
          ?.addEvent(event.type, fieldAttributes('warden', event, EVENT_FIELDS), this.epoch(time));
        return true;
      case 'breaker.close':
      case 'breaker.reset': {
        const name = breakerName(event);
        const outage = this.#outages.get(name);
        if (outage === undefined) return true;
        outage.setAttribute('warden.breaker.closed_by', event.type);
        outage.end(this.epoch(time));
        this.#outages.delete(name);
        return true;
      }
      case 'degrade.level_changed':
      case 'model.degraded':
      case 'model.paused':
      case 'spawn.joined':
        this.#moment(pid, SPAN_NAMES[event.type] ?? event.type, event, time);
        return true;
      default:
        return false;
    }
  }

  stop(time: number): void {
    const at = this.epoch(time);
    for (const outage of this.#outages.values()) outage.end(at);
    this.#outages.clear();
    for (const restart of this.#restarting.values()) restart.span.end(at);
    this.#restarting.clear();
  }

  #trip(event: Fields, time: number): void {
    const name = breakerName(event);
    const open = this.#outages.get(name);
    const attributes = fieldAttributes('warden.breaker', event, BREAKER_FIELDS);
    if (open !== undefined) {
      // A failed probe re-opens: the same outage goes on.
      open.addEvent('breaker.trip', attributes, this.epoch(time));
      return;
    }
    const span = this.tracer.startSpan(`breaker.open ${name}`, {
      startTime: this.epoch(time),
      attributes: { 'warden.breaker.name': name, ...attributes },
    });
    this.#outages.set(name, span);
  }

  #moment(pid: Pid | undefined, name: string, event: Fields, time: number): void {
    const at = this.epoch(time);
    const span = this.tracer.startSpan(
      name,
      { startTime: at, attributes: fieldAttributes('warden', event, EVENT_FIELDS) },
      this.hooks.contextOf(pid, time) ?? activeSpanContext() ?? ROOT_CONTEXT,
    );
    span.end(at);
  }

  #historyOf(supervisor: string): { restarts: Link[]; cause: Context | undefined } {
    let history = this.#history.get(supervisor);
    if (history === undefined) {
      history = { restarts: [], cause: undefined };
      this.#history.set(supervisor, history);
    }
    return history;
  }
}

function breakerName(event: Fields): string {
  return typeof event.name === 'string' ? event.name : 'breaker';
}

const SUPERVISOR_FIELDS: ReadonlySet<string> = new Set(['type', 'time', 'supervisor']);
const BREAKER_FIELDS: ReadonlySet<string> = new Set(['type', 'time', 'name']);

const SPAN_NAMES: Readonly<Record<string, string>> = {
  'degrade.level_changed': 'ladder.move',
  'model.degraded': 'model.degraded',
  'model.paused': 'model.paused',
  'spawn.joined': 'spawn_once.join',
};
