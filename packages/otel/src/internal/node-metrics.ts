import type {
  BatchObservableCallback,
  BatchObservableResult,
  Meter,
  Observable,
  ObservableCounter,
  ObservableGauge,
} from '@opentelemetry/api';
import { costOf, type PriceTable } from '@warden/agents';
import type { Node, NodeEvent, PublishedEvent } from '@warden/core';
import { text } from './attributes.js';
import { CheckpointLatency } from './checkpoint-latency.js';
import { COUNTERS, type CounterName } from './counters.js';
import { PendingApprovals } from './pending-approvals.js';
import { Tally } from './tally.js';

type Fields = Readonly<Record<string, unknown>>;

/** Breaker states as numbers, so one gauge can be graphed and alerted on (`> 0` is trouble). */
export const BREAKER_STATE_VALUES = Object.freeze({
  closed: 0,
  half_open: 1,
  open: 2,
  isolated: 3,
});

/**
 * The node's metrics: counters summed from the same events as its spans (a map update per event,
 * nothing done by the SDK until a reader collects), and gauges read from the node when collected
 * (the process table, the mailboxes of registered processes).
 */
export class NodeMetrics {
  readonly #tallies = new Map<CounterName, Tally>();
  readonly #counters = new Map<CounterName, ObservableCounter>();
  readonly #observables: Observable[];
  readonly #observe: BatchObservableCallback;
  readonly #breakers = new Map<string, number>();
  readonly #levels = new Map<string, number>();
  readonly #pending = new PendingApprovals();
  readonly #checkpoints: CheckpointLatency;

  constructor(
    readonly meter: Meter,
    readonly node: Node,
    readonly prices: PriceTable | undefined,
  ) {
    for (const [name, [metric, description, unit]] of Object.entries(COUNTERS)) {
      this.#tallies.set(name as CounterName, new Tally());
      this.#counters.set(
        name as CounterName,
        meter.createObservableCounter(metric, {
          description,
          ...(unit === undefined ? {} : { unit }),
        }),
      );
    }
    const gauges = {
      processes: gauge(meter, 'warden.node.processes', 'Live processes on the node'),
      mailbox: gauge(
        meter,
        'warden.mailbox.depth',
        'Messages waiting in the mailbox of each registered process',
        '{message}',
      ),
      mailboxMax: gauge(
        meter,
        'warden.mailbox.depth.max',
        'The deepest mailbox on the node',
        '{message}',
      ),
      breakers: gauge(
        meter,
        'warden.breaker.state',
        'Each breaker: 0 closed, 1 half open, 2 open, 3 isolated',
      ),
      levels: gauge(
        meter,
        'warden.agent.model_level',
        'Which model serves each agent: 0 its primary, n its n-th fallback',
      ),
    };
    this.#checkpoints = new CheckpointLatency(meter);
    const pending = gauge(
      meter,
      'warden.agent.approvals.pending',
      'Tool calls waiting for a person, by agent and tool',
      '{call}',
    );
    this.#observables = [...this.#counters.values(), ...Object.values(gauges), pending];
    this.#observe = (result) => {
      for (const [name, tally] of this.#tallies) {
        const counter = this.#counters.get(name) as ObservableCounter;
        for (const { attributes, value } of tally.entries())
          result.observe(counter, value, attributes);
      }
      for (const [name, state] of this.#breakers) {
        result.observe(gauges.breakers, state, { 'warden.breaker.name': name });
      }
      for (const [agent, level] of this.#levels) {
        result.observe(gauges.levels, level, { 'gen_ai.agent.name': agent });
      }
      for (const { agent, tool, waiting } of this.#pending.counts()) {
        result.observe(pending, waiting, { 'gen_ai.agent.name': agent, 'gen_ai.tool.name': tool });
      }
      if (!node.stopped) observeNode(node, result, gauges);
    };
    meter.addBatchObservableCallback(this.#observe, this.#observables);
  }

  stop(): void {
    this.meter.removeBatchObservableCallback(this.#observe, this.#observables);
  }

  onEvent(event: NodeEvent): void {
    switch (event.type) {
      case 'supervisor.restart': {
        const supervisor = event.supervisor.toString();
        this.#add('restarts', `${supervisor}\u0000${event.id}`, 1, () => ({
          'warden.supervisor': supervisor,
          'warden.child.id': event.id,
        }));
        return;
      }
      case 'supervisor.escalated':
      case 'supervisor.meter_exceeded': {
        const supervisor = event.supervisor.toString();
        const cause = event.type === 'supervisor.escalated' ? 'intensity' : `meter:${event.meter}`;
        this.#add('escalations', `${supervisor}\u0000${cause}`, 1, () => ({
          'warden.supervisor': supervisor,
          'warden.escalation.cause': cause,
        }));
        return;
      }
      case 'actor.crashed':
        this.#add('crashes', event.phase, 1, () => ({ 'warden.crash.phase': event.phase }));
        return;
      case 'deadletter':
        this.#add('deadLetters', event.reason, 1, () => ({
          'warden.deadletter.reason': event.reason,
        }));
        return;
      case 'trace_context.dropped':
        this.#add('traceDropped', event.reason, 1, () => ({
          'warden.trace_context.reason': event.reason,
        }));
        return;
      case 'actor.exited':
        // What it waited for is withdrawn with it, and it can publish no answer.
        this.#pending.exited(event.pid);
        return;
      case 'published':
        this.#onPublished(event);
        return;
      default:
        return;
    }
  }

  #add(name: CounterName, key: string, n: number, attributes: () => Record<string, string>): void {
    (this.#tallies.get(name) as Tally).add(key, n, attributes);
  }

  #onPublished(published: PublishedEvent): void {
    const event = published.event as Fields & { type: string };
    switch (event.type) {
      case 'agent.task_started':
        this.#levels.set(text(event.agent, ''), 0);
        return;
      case 'agent.step':
        this.#step(event);
        return;
      case 'agent.tool_call': {
        const [agent, tool, effect, outcome] = [
          text(event.agent, ''),
          text(event.tool, ''),
          text(event.effect, ''),
          text(event.outcome, ''),
        ];
        this.#add('toolCalls', `${agent}\u0000${tool}\u0000${effect}\u0000${outcome}`, 1, () => ({
          'gen_ai.agent.name': agent,
          'gen_ai.tool.name': tool,
          'warden.tool.effect': effect,
          'warden.tool.outcome': outcome,
        }));
        return;
      }
      case 'governance.approval_requested':
        this.#pending.requested(published.pid, event);
        return;
      case 'governance.approval_decided': {
        const [agent, tool, decision] = [
          text(event.agent, ''),
          text(event.tool, ''),
          text(event.decision, ''),
        ];
        this.#pending.decided(published.pid, event);
        this.#add('approvals', `${agent}\u0000${tool}\u0000${decision}`, 1, () => ({
          'gen_ai.agent.name': agent,
          'gen_ai.tool.name': tool,
          'warden.approval.decision': decision,
        }));
        return;
      }
      case 'agent.checkpoint':
        this.#checkpoints.record(event);
        return;
      case 'agent.budget_exceeded': {
        const agent = text(event.agent, '');
        const given = (event.detail as { budget?: unknown } | undefined)?.budget;
        const budget = typeof given === 'string' ? given : 'unknown';
        this.#add('budgetExceeded', `${agent}\u0000${budget}`, 1, () => ({
          'gen_ai.agent.name': agent,
          'warden.budget': budget,
        }));
        return;
      }
      case 'agent.degraded':
        if (typeof event.level === 'number') this.#levels.set(text(event.agent, ''), event.level);
        return;
      case 'degrade.level_changed': {
        const source = text(event.source, '');
        const to = event.to === undefined ? 'primary' : text(event.to, '');
        this.#add('ladderMoves', `${source}\u0000${to}`, 1, () => ({
          'warden.ladder.source': source,
          'warden.ladder.to': to,
        }));
        return;
      }
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
    const agent = text(event.agent, '');
    const model = text(event.model, '');
    const key = `${agent}\u0000${model}`;
    const base = () => ({ 'gen_ai.agent.name': agent, 'gen_ai.response.model': model });
    this.#add('steps', key, 1, base);
    const usage = event.usage as { inputTokens?: unknown; outputTokens?: unknown } | undefined;
    const input = usage?.inputTokens;
    const output = usage?.outputTokens;
    if (typeof input === 'number' && Number.isFinite(input) && input >= 0) {
      this.#add('tokens', `${key}\u0000input`, input, () => ({
        ...base(),
        'gen_ai.token.type': 'input',
      }));
    }
    if (typeof output === 'number' && Number.isFinite(output) && output >= 0) {
      this.#add('tokens', `${key}\u0000output`, output, () => ({
        ...base(),
        'gen_ai.token.type': 'output',
      }));
    }
    if (this.prices !== undefined && typeof input === 'number' && typeof output === 'number') {
      const cost = costOf(this.prices, model, usage as Parameters<typeof costOf>[2]);
      if (cost !== undefined && Number.isFinite(cost) && cost >= 0)
        this.#add('cost', key, cost, base);
    }
  }
}

function gauge(meter: Meter, name: string, description: string, unit?: string): ObservableGauge {
  return meter.createObservableGauge(name, {
    description,
    ...(unit === undefined ? {} : { unit }),
  });
}

function observeNode(
  node: Node,
  result: BatchObservableResult,
  gauges: { processes: ObservableGauge; mailbox: ObservableGauge; mailboxMax: ObservableGauge },
): void {
  const pids = node.processes();
  result.observe(gauges.processes, pids.length);
  let deepest = 0;
  for (const pid of pids) {
    const size = node.processInfo(pid)?.mailboxSize ?? 0;
    if (size > deepest) deepest = size;
  }
  result.observe(gauges.mailboxMax, deepest);
  for (const name of node.registered()) {
    const pid = node.whereis(name);
    const info = pid === undefined ? undefined : node.processInfo(pid);
    if (info !== undefined)
      result.observe(gauges.mailbox, info.mailboxSize, { 'warden.process': name });
  }
}

function breakerName(event: Fields): string {
  return typeof event.name === 'string' ? event.name : 'breaker';
}
