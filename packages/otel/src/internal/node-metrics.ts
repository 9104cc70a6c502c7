import type {
  Attributes,
  BatchObservableCallback,
  Counter,
  Histogram,
  Meter,
  ObservableGauge,
} from '@opentelemetry/api';
import { costOf, type PriceTable } from '@warden/agents';
import type { Node, NodeEvent, PublishedEvent } from '@warden/core';

type Fields = Readonly<Record<string, unknown>>;

/** Breaker states as numbers, so one gauge can be graphed and alerted on (`> 0` is trouble). */
export const BREAKER_STATE_VALUES = Object.freeze({
  closed: 0,
  half_open: 1,
  open: 2,
  isolated: 3,
});

/**
 * The node's metrics, recorded from the same events as its spans, and gauges read from the node
 * when a reader collects (the process table and the mailboxes of registered processes).
 */
export class NodeMetrics {
  readonly #restarts: Counter;
  readonly #escalations: Counter;
  readonly #crashes: Counter;
  readonly #deadLetters: Counter;
  readonly #tokens: Counter;
  readonly #tokenUsage: Histogram;
  readonly #cost: Counter;
  readonly #steps: Counter;
  readonly #toolCalls: Counter;
  readonly #budgetExceeded: Counter;
  readonly #ladderMoves: Counter;
  readonly #gauges: ObservableGauge[];
  readonly #observe: BatchObservableCallback;
  readonly #breakers = new Map<string, number>();
  readonly #levels = new Map<string, number>();

  constructor(
    readonly meter: Meter,
    readonly node: Node,
    readonly prices: PriceTable | undefined,
  ) {
    this.#restarts = meter.createCounter('warden.supervisor.restarts', {
      description: 'Children restarted by a supervisor',
    });
    this.#escalations = meter.createCounter('warden.supervisor.escalations', {
      description: 'Supervisors that gave up (intensity or a meter crossed) and escalated',
    });
    this.#crashes = meter.createCounter('warden.actor.crashes', {
      description: 'Crash reports: a process whose own code threw',
    });
    this.#deadLetters = meter.createCounter('warden.deadletters', {
      description: 'Messages that reached no process, by reason',
    });
    this.#tokens = meter.createCounter('warden.agent.tokens', {
      description: 'Tokens spent by agents, by agent, model and type',
      unit: '{token}',
    });
    this.#tokenUsage = meter.createHistogram('gen_ai.client.token.usage', {
      description: 'Tokens of one model call of an agent step',
      unit: '{token}',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    });
    this.#cost = meter.createCounter('warden.agent.cost', {
      description: 'What agents spent on models, from the price table given',
      unit: 'USD',
    });
    this.#steps = meter.createCounter('warden.agent.steps', {
      description: 'Agent steps (one model answer each), by agent and model',
    });
    this.#toolCalls = meter.createCounter('warden.agent.tool_calls', {
      description: 'Tool calls of agents, by tool and outcome',
    });
    this.#budgetExceeded = meter.createCounter('warden.agent.budget_exceeded', {
      description: 'Agent tasks stopped by a budget',
    });
    this.#ladderMoves = meter.createCounter('warden.ladder.moves', {
      description: 'Moves of a degradation ladder, by source and the rung moved to',
    });
    const processes = meter.createObservableGauge('warden.node.processes', {
      description: 'Live processes on the node',
    });
    const mailbox = meter.createObservableGauge('warden.mailbox.depth', {
      description: 'Messages waiting in the mailbox of each registered process',
      unit: '{message}',
    });
    const mailboxMax = meter.createObservableGauge('warden.mailbox.depth.max', {
      description: 'The deepest mailbox on the node',
      unit: '{message}',
    });
    const breakers = meter.createObservableGauge('warden.breaker.state', {
      description: 'Each breaker: 0 closed, 1 half open, 2 open, 3 isolated',
    });
    const levels = meter.createObservableGauge('warden.agent.model_level', {
      description: 'Which model serves each agent: 0 its primary, n its n-th fallback',
    });
    this.#gauges = [processes, mailbox, mailboxMax, breakers, levels];
    this.#observe = (result) => {
      if (node.stopped) return;
      const pids = node.processes();
      result.observe(processes, pids.length);
      let deepest = 0;
      for (const pid of pids) {
        const size = node.processInfo(pid)?.mailboxSize ?? 0;
        if (size > deepest) deepest = size;
      }
      result.observe(mailboxMax, deepest);
      for (const name of node.registered()) {
        const pid = node.whereis(name);
        const info = pid === undefined ? undefined : node.processInfo(pid);
        if (info !== undefined)
          result.observe(mailbox, info.mailboxSize, { 'warden.process': name });
      }
      for (const [name, state] of this.#breakers) {
        result.observe(breakers, state, { 'warden.breaker.name': name });
      }
      for (const [agent, level] of this.#levels) {
        result.observe(levels, level, { 'gen_ai.agent.name': agent });
      }
    };
    meter.addBatchObservableCallback(this.#observe, this.#gauges);
  }

  stop(): void {
    this.meter.removeBatchObservableCallback(this.#observe, this.#gauges);
  }

  onEvent(event: NodeEvent): void {
    switch (event.type) {
      case 'supervisor.restart':
        this.#restarts.add(1, {
          'warden.supervisor': event.supervisor.toString(),
          'warden.child.id': event.id,
        });
        return;
      case 'supervisor.escalated':
        this.#escalations.add(1, {
          'warden.supervisor': event.supervisor.toString(),
          'warden.escalation.cause': 'intensity',
        });
        return;
      case 'supervisor.meter_exceeded':
        this.#escalations.add(1, {
          'warden.supervisor': event.supervisor.toString(),
          'warden.escalation.cause': `meter:${event.meter}`,
        });
        return;
      case 'actor.crashed':
        this.#crashes.add(1, { 'warden.crash.phase': event.phase });
        return;
      case 'deadletter':
        this.#deadLetters.add(1, { 'warden.deadletter.reason': event.reason });
        return;
      case 'published':
        this.#onPublished(event);
        return;
      default:
        return;
    }
  }

  #onPublished(published: PublishedEvent): void {
    const event = published.event as Fields & { type: string };
    switch (event.type) {
      case 'agent.task_started':
        this.#levels.set(String(event.agent), 0);
        return;
      case 'agent.step':
        this.#step(event);
        return;
      case 'agent.tool_call':
        this.#toolCalls.add(1, {
          'gen_ai.agent.name': String(event.agent),
          'gen_ai.tool.name': String(event.tool),
          'warden.tool.outcome': String(event.outcome),
        });
        return;
      case 'agent.budget_exceeded': {
        const budget = (event.detail as { budget?: unknown } | undefined)?.budget;
        this.#budgetExceeded.add(1, {
          'gen_ai.agent.name': String(event.agent),
          'warden.budget': typeof budget === 'string' ? budget : 'unknown',
        });
        return;
      }
      case 'agent.degraded':
        if (typeof event.level === 'number') this.#levels.set(String(event.agent), event.level);
        return;
      case 'degrade.level_changed':
        this.#ladderMoves.add(1, {
          'warden.ladder.source': String(event.source),
          'warden.ladder.to': event.to === undefined ? 'primary' : String(event.to),
        });
        return;
      case 'breaker.trip':
        this.#breakers.set(breakerName(event), BREAKER_STATE_VALUES.open);
        return;
      case 'breaker.half_open':
        this.#breakers.set(breakerName(event), BREAKER_STATE_VALUES.half_open);
        return;
      case 'breaker.close':
      case 'breaker.reset':
        this.#breakers.set(breakerName(event), BREAKER_STATE_VALUES.closed);
        return;
      case 'breaker.isolate':
        this.#breakers.set(breakerName(event), BREAKER_STATE_VALUES.isolated);
        return;
      default:
        return;
    }
  }

  #step(event: Fields): void {
    const agent = String(event.agent);
    const model = String(event.model);
    const base: Attributes = { 'gen_ai.agent.name': agent, 'gen_ai.response.model': model };
    this.#steps.add(1, base);
    const usage = event.usage as { inputTokens?: unknown; outputTokens?: unknown } | undefined;
    const input = usage?.inputTokens;
    const output = usage?.outputTokens;
    if (typeof input === 'number' && Number.isFinite(input) && input >= 0) {
      const attributes = { ...base, 'gen_ai.token.type': 'input' };
      this.#tokens.add(input, attributes);
      this.#tokenUsage.record(input, { ...attributes, 'gen_ai.operation.name': 'chat' });
    }
    if (typeof output === 'number' && Number.isFinite(output) && output >= 0) {
      const attributes = { ...base, 'gen_ai.token.type': 'output' };
      this.#tokens.add(output, attributes);
      this.#tokenUsage.record(output, { ...attributes, 'gen_ai.operation.name': 'chat' });
    }
    if (this.prices !== undefined && typeof input === 'number' && typeof output === 'number') {
      const cost = costOf(this.prices, model, usage as Parameters<typeof costOf>[2]);
      if (cost !== undefined && Number.isFinite(cost) && cost >= 0) this.#cost.add(cost, base);
    }
  }
}

function breakerName(event: Fields): string {
  return typeof event.name === 'string' ? event.name : 'breaker';
}

/** The GenAI conventions' advised boundaries for token counts. */
const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
