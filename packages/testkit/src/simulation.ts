import {
  type AnyTool,
  type AuditLog,
  type EffectEntry,
  type EffectJournal,
  MemoryAuditLog,
  MemoryEffectJournal,
} from '@warden/agents';
import {
  createScriptedModel,
  type ScriptedModel,
  type ScriptedModelOptions,
  seededRandom,
} from '@warden/agents/testing';
import {
  type ActorContext,
  type Behaviour,
  createInMemoryNetwork,
  createNode,
  errorReason,
  formatReason,
  type InMemoryNetwork,
  isAbnormal,
  type Node,
  type NodeEvent,
  type NodeOptions,
  type Pid,
  type SupervisorFlags,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { EffectRecorder } from './effect-recorder.js';
import {
  type CrashReason,
  type CrashTarget,
  describeFault,
  type Fault,
  modelRules,
} from './fault.js';
import { chaosBehaviour, InjectedCrash, type MessageAction } from './internal/chaos-behaviour.js';
import { chaosTool, type ToolAction } from './internal/chaos-tool.js';
import { faultTransport } from './internal/fault-transport.js';
import { SimClock } from './internal/sim-clock.js';
import { RequestLedger } from './request-ledger.js';
import { Timeline } from './timeline.js';

const SIMULATIONS = new WeakMap<Node, Simulation>();

/** The simulation a node belongs to: how a tool defined once finds the run it is part of. */
export function simulationOf(node: Node): Simulation | undefined {
  return SIMULATIONS.get(node);
}

/** Two live instances of one spawn-once key at one instant. */
export interface InstanceViolation {
  readonly key: string;
  readonly at: number;
  readonly live: number;
}

interface LinkWindow {
  readonly from: string;
  readonly to: string;
  readonly ms: number;
  readonly until: number;
}

export interface SimulationOptions {
  /** Upper bound of the seeded extra latency of each envelope between nodes. Default 2 ms. */
  readonly jitterMs?: number;
}

/**
 * One run of a user's system: nodes on one clock over the in-memory network, the fault schedule
 * applied to them, and the records the invariants read. A run is a pure function of the system,
 * the schedule and the seed: every random choice (delivery jitter, a crash "at random", the
 * scripted models' draws) comes from the seed, and time moves only when the run moves it.
 */
export class Simulation {
  readonly schedule: readonly Fault[];
  readonly seed: number;
  /** The clock every node, model and timer of the run uses. */
  readonly clock: SimClock;
  readonly timeline = new Timeline();
  readonly effects: EffectRecorder;
  readonly requests = new RequestLedger();
  readonly nodes: Node[] = [];
  /** Two live instances of a spawn-once key at once, as they happened. */
  readonly instanceViolations: InstanceViolation[] = [];
  /** Restart times per supervisor (pid key), from its `supervisor.restart` events. */
  readonly restarts = new Map<string, number[]>();
  /** Restart flags of the supervisors the run knows (pid key), from `sim.supervisor`. */
  readonly supervisorFlags = new Map<string, Pick<SupervisorFlags, 'intensity' | 'period'>>();
  /** Every `published` agent event of the run: budgets are read from these. */
  readonly agentEvents: {
    pid: Pid | undefined;
    event: { type: string } & Record<string, unknown>;
  }[] = [];
  /** The latest state of every entry of the journals made with `sim.journal`, by key. */
  readonly journalEntries = new Map<string, EffectEntry>();
  /** The audit logs made with `sim.auditLog`. */
  readonly auditLogs: AuditLog[] = [];
  readonly random: () => number;
  readonly #network: InMemoryNetwork = createInMemoryNetwork();
  readonly #jitterMs: number;
  readonly #names = new Map<string, string>();
  readonly #labelled = new Map<string, Pid[]>();
  readonly #messageFaults = new Map<string, Map<number, MessageAction>>();
  readonly #messageCounts = new Map<string, number>();
  readonly #toolFaults = new Map<string, Map<number, ToolAction>>();
  readonly #toolCounts = new Map<string, number>();
  readonly #redeliver = new Set<number>();
  readonly #live = new Map<string, Set<string>>();
  readonly #instanceOf = new Map<string, string>();
  #links: LinkWindow[] = [];
  #armed = false;
  #clientRequests = 0;

  constructor(schedule: readonly Fault[], seed: number, options: SimulationOptions = {}) {
    this.schedule = schedule;
    this.seed = seed;
    this.random = seededRandom(seed >>> 0);
    this.#jitterMs = options.jitterMs ?? 2;
    this.clock = new SimClock(new TestClock());
    this.effects = new EffectRecorder(
      () => this.clock.now(),
      (e) =>
        this.timeline.add(
          e.at,
          'system',
          `effect ${e.tool} ${e.key}${e.irreversible ? ' (irreversible)' : ''}`,
        ),
    );
    for (const f of schedule) {
      if (f.kind === 'crash-on-message') {
        this.#plan(this.#messageFaults, f.label, f.nth, { type: 'crash', reason: f.reason });
      } else if (f.kind === 'hang') {
        this.#plan(this.#messageFaults, f.label, f.nth, { type: 'hang' });
      } else if (f.kind === 'slow') {
        this.#plan(this.#messageFaults, f.label, f.nth, { type: 'slow', ms: f.ms });
      } else if (f.kind === 'tool') {
        const action: ToolAction =
          f.failure === 'slow' ? { type: 'slow', ms: f.ms ?? 0 } : { type: f.failure };
        this.#plan(this.#toolFaults, f.tool, f.nth, action);
      } else if (f.kind === 'redeliver') {
        this.#redeliver.add(f.nth);
      }
    }
  }

  /** A node of the run, on the run's clock and network, observed for the timeline. */
  node(
    name = `n${this.nodes.length + 1}`,
    options: Omit<NodeOptions, 'name' | 'clock' | 'transport'> = {},
  ): Node {
    const transport = faultTransport(this.#network.transport(), this.clock, (from, to) =>
      this.#linkDelay(from, to),
    );
    const node = createNode({ ...options, name, clock: this.clock, transport });
    SIMULATIONS.set(node, this);
    node.inspect((event) => this.#observe(node, event));
    this.nodes.push(node);
    return node;
  }

  /**
   * The behaviour, under `label`, open to the schedule's crashes, hangs and slow handlers. With
   * `instance`, each process of it declares itself a live instance of that spawn-once key.
   */
  actor<B extends Behaviour>(label: string, behaviour: B, options: { instance?: string } = {}): B {
    return chaosBehaviour(label, behaviour, {
      onMessage: (l) => {
        if (!this.#armed) return undefined;
        const n = (this.#messageCounts.get(l) ?? 0) + 1;
        this.#messageCounts.set(l, n);
        const action = this.#messageFaults.get(l)?.get(n);
        if (action !== undefined) {
          this.timeline.add(
            this.clock.now(),
            'fault',
            () => `${actionText(action)} "${l}" on message ${n}`,
          );
        }
        return action;
      },
      onStart: (l, ctx) => {
        this.#started(l, ctx);
        if (options.instance !== undefined) this.instance(options.instance, ctx.self);
      },
    });
  }

  /** The tool, its calls counted, open to the schedule's tool failures. */
  tool<T extends AnyTool>(tool: T): T {
    return chaosTool(tool, (name) => {
      if (!this.#armed) return { nth: 0, action: undefined };
      const nth = (this.#toolCounts.get(name) ?? 0) + 1;
      this.#toolCounts.set(name, nth);
      const action = this.#toolFaults.get(name)?.get(nth);
      if (action !== undefined) {
        this.timeline.add(this.clock.now(), 'fault', `tool "${name}" call ${nth}: ${action.type}`);
      }
      return { nth, action };
    });
  }

  /**
   * A scripted model on the run's clock, failing as the schedule says for `label`; each call a
   * fault hits is noted in the timeline as it starts.
   */
  model(label: string, options: Omit<ScriptedModelOptions, 'clock' | 'seed'>): ScriptedModel {
    const inner = createScriptedModel({
      ...options,
      clock: this.clock,
      seed: Math.floor(this.random() * 2 ** 31),
      faults: [...(options.faults ?? []), ...modelRules(this.schedule, label)],
    });
    const hits = this.schedule.filter(
      (f): f is Extract<Fault, { kind: 'model' }> => f.kind === 'model' && f.model === label,
    );
    if (hits.length === 0) return inner;
    const note = (): void => {
      const index = inner.calls.length;
      const hit = hits.find((f) => index >= f.call && index < f.call + f.count);
      if (hit !== undefined) {
        this.timeline.add(
          this.clock.now(),
          'fault',
          `model "${label}" call ${index}: ${hit.fault}`,
        );
      }
    };
    return {
      get provider() {
        return inner.provider;
      },
      get model() {
        return inner.model;
      },
      get calls() {
        return inner.calls;
      },
      get inFlight() {
        return inner.inFlight;
      },
      get maxInFlight() {
        return inner.maxInFlight;
      },
      generate: (request) => {
        note();
        return inner.generate(request);
      },
      stream: (request) => {
        note();
        return inner.stream(request);
      },
    };
  }

  /**
   * An effect journal for an agent's governance (`governance: { journal: sim.journal() }`) whose
   * every entry the checkers read: by default in memory, living as long as the run, as a durable
   * journal outlives the agents that write it.
   */
  journal(inner: EffectJournal = new MemoryEffectJournal()): EffectJournal {
    const keep = (entry: EffectEntry): EffectEntry => {
      this.journalEntries.set(entry.key, entry);
      if (entry.state === 'executing' || entry.state === 'unknown' || entry.state === 'denied') {
        this.timeline.add(
          entry.at,
          'system',
          `journal ${entry.tool} ${entry.state} (${entry.threadId})`,
        );
      }
      return entry;
    };
    return {
      begin: async (entry) => keep(await inner.begin(entry)),
      get: (key) => inner.get(key),
      advance: async (key, version, change) => keep(await inner.advance(key, version, change)),
      list: (threadId) => inner.list(threadId),
    };
  }

  /** An audit log for an agent's governance, whose hash chain `auditChainIntact` verifies. */
  auditLog(inner: AuditLog = new MemoryAuditLog()): AuditLog {
    this.auditLogs.push(inner);
    return inner;
  }

  /** Says the supervisor's restart flags, so the intensity checker holds it to them. */
  supervisor(pid: Pid, flags: Pick<SupervisorFlags, 'intensity' | 'period'>): void {
    this.supervisorFlags.set(pid.key, flags);
  }

  /**
   * Declares the calling process the live instance of `key` until it ends: the checker of
   * spawn-once keys counts these. Call it from the instance's `init` (or the tool it runs).
   */
  instance(key: string, pid: Pid): void {
    let live = this.#live.get(key);
    if (live === undefined) {
      live = new Set();
      this.#live.set(key, live);
    }
    live.add(pid.key);
    this.#instanceOf.set(pid.key, key);
    if (live.size > 1) {
      const at = this.clock.now();
      this.instanceViolations.push({ key, at, live: live.size });
      this.timeline.add(at, 'system', `${live.size} live instances of "${key}"`);
    }
  }

  /**
   * A request from an at-least-once client: recorded as accepted, settled by its outcome, and
   * sent again if the schedule says its acknowledgement was lost.
   */
  client(id: string, send: (attempt: number) => Promise<unknown>): Promise<void> {
    const nth = ++this.#clientRequests;
    const once = (attempt: number): Promise<void> => {
      this.requests.accept(id);
      return send(attempt).then(
        () => this.requests.settle(id, 'completed'),
        (error: unknown) => {
          const detail = error instanceof Error ? error.message : String(error);
          this.requests.settle(id, 'failed', detail);
        },
      );
    };
    const first = once(1);
    if (!this.#redeliver.has(nth)) return first;
    return first.then(() => {
      this.timeline.add(this.clock.now(), 'fault', `client sends "${id}" again`);
      return once(2);
    });
  }

  /**
   * Starts counting messages and tool calls for the schedule: the run arms the simulation once
   * the setup has returned and settled, so "the 1st message" is the first one after start-up
   * and a schedule never breaks the setup itself.
   */
  arm(): void {
    this.#armed = true;
  }

  /** Adds a line of your own to the timeline. */
  note(text: string): void {
    this.timeline.add(this.clock.now(), 'system', text);
  }

  /** Applies a fault that happens at a time (the run calls this when the clock reaches it). */
  apply(fault: Fault): void {
    const now = this.clock.now();
    switch (fault.kind) {
      case 'crash': {
        const target = this.#resolve(fault.target);
        this.timeline.add(
          now,
          'fault',
          () =>
            `${describeFault(fault)}${target === undefined ? ': nobody to crash' : `: ${this.nameOf(target.pid)}`}`,
        );
        if (target !== undefined)
          target.node.exit(target.pid, exitReasonOf(fault.reason, fault.target));
        return;
      }
      case 'partition': {
        this.timeline.add(now, 'fault', describeFault(fault));
        this.#network.partition(fault.a, fault.b);
        this.clock.setTimer(fault.healAfterMs, () => {
          this.timeline.add(
            this.clock.now(),
            'fault',
            `heal [${fault.a.join(', ')}] | [${fault.b.join(', ')}]`,
          );
          this.#network.heal(fault.a, fault.b);
        });
        return;
      }
      case 'link-delay':
        this.timeline.add(now, 'fault', describeFault(fault));
        this.#links.push({
          from: fault.from,
          to: fault.to,
          ms: fault.ms,
          until: now + fault.forMs,
        });
        return;
      case 'clock-jump':
        this.timeline.add(now, 'fault', describeFault(fault));
        this.clock.jump(fault.ms);
        return;
      default:
        return;
    }
  }

  /** Heals every partition and link fault: the quiet period after the schedule. */
  healAll(): void {
    this.#links = [];
    this.#network.heal();
  }

  /** Live processes of every node, in node order then spawn order. */
  liveProcesses(): { node: Node; pid: Pid }[] {
    const all: { node: Node; pid: Pid }[] = [];
    for (const node of this.nodes) {
      if (node.stopped) continue;
      for (const pid of node.processes()) all.push({ node, pid });
    }
    return all;
  }

  /** A process as the timeline names it: its label, registered name or child id. */
  nameOf(pid: Pid): string {
    // never the incarnation: it is random, and the timeline must be the same on every replay
    return this.#names.get(pid.key) ?? `<${pid.node}.${pid.id}>`;
  }

  #plan<A>(plans: Map<string, Map<number, A>>, label: string, nth: number, action: A): void {
    let byNth = plans.get(label);
    if (byNth === undefined) {
      byNth = new Map();
      plans.set(label, byNth);
    }
    if (!byNth.has(nth)) byNth.set(nth, action);
  }

  #started(label: string, ctx: ActorContext): void {
    const pids = this.#labelled.get(label);
    if (pids === undefined) this.#labelled.set(label, [ctx.self]);
    else pids.push(ctx.self);
    if (!this.#names.has(ctx.self.key)) this.#names.set(ctx.self.key, label);
  }

  #resolve(target: CrashTarget): { node: Node; pid: Pid } | undefined {
    if ('name' in target) {
      for (const node of this.nodes) {
        const pid = node.stopped ? undefined : node.whereis(target.name);
        if (pid !== undefined) return { node, pid };
      }
      return undefined;
    }
    if ('label' in target) {
      const pids = this.#labelled.get(target.label) ?? [];
      for (let i = pids.length - 1; i >= 0; i--) {
        const pid = pids[i] as Pid;
        const node = this.nodes.find((n) => !n.stopped && n.isAlive(pid));
        if (node !== undefined) return { node, pid };
      }
      return undefined;
    }
    const live = this.liveProcesses();
    return live.length === 0 ? undefined : live[target.pick % live.length];
  }

  #linkDelay(from: string, to: string): number {
    let ms = 0;
    if (this.#links.length > 0) {
      const now = this.clock.now();
      this.#links = this.#links.filter((l) => l.until > now);
      for (const l of this.#links) if (l.from === from && l.to === to) ms = Math.max(ms, l.ms);
    }
    return this.#jitterMs > 0 ? ms + Math.floor(this.random() * (this.#jitterMs + 1)) : ms;
  }

  #observe(node: Node, event: NodeEvent): void {
    switch (event.type) {
      case 'actor.registered':
        this.#names.set(event.pid.key, event.name);
        return;
      case 'supervisor.child_started':
        if (!this.#names.has(event.pid.key)) this.#names.set(event.pid.key, event.id);
        return;
      case 'actor.exited': {
        const key = this.#instanceOf.get(event.pid.key);
        if (key !== undefined) {
          this.#live.get(key)?.delete(event.pid.key);
          this.#instanceOf.delete(event.pid.key);
        }
        if (isAbnormal(event.reason)) {
          const pid = event.pid;
          const reason = event.reason;
          this.timeline.add(
            event.time,
            'system',
            () => `${this.nameOf(pid)} exited: ${formatReason(reason)}`,
          );
        }
        return;
      }
      case 'supervisor.restart': {
        const times = this.restarts.get(event.supervisor.key);
        if (times === undefined) this.restarts.set(event.supervisor.key, [event.time]);
        else times.push(event.time);
        const sup = event.supervisor;
        const id = event.id;
        this.timeline.add(event.time, 'system', () => `${this.nameOf(sup)} restarts ${id}`);
        return;
      }
      case 'supervisor.escalated': {
        const sup = event.supervisor;
        this.timeline.add(
          event.time,
          'system',
          () => `${this.nameOf(sup)} gives up after ${event.restarts} restarts`,
        );
        return;
      }
      case 'supervisor.meter_exceeded':
        this.timeline.add(
          event.time,
          'system',
          `meter ${event.meter} exceeded: ${event.spent} of ${event.limit}`,
        );
        return;
      case 'node.down':
        this.timeline.add(event.time, 'system', `${node.name} lost ${event.node}`);
        return;
      case 'node.up':
        if (event.time > 0)
          this.timeline.add(event.time, 'system', `${node.name} sees ${event.node}`);
        return;
      case 'published': {
        const inner = event.event as { type: string } & Record<string, unknown>;
        if (!inner.type.startsWith('agent.')) return;
        this.agentEvents.push({ pid: event.pid, event: inner });
        if (
          inner.type === 'agent.failed' ||
          inner.type === 'agent.budget_exceeded' ||
          inner.type === 'agent.degraded'
        ) {
          const pid = event.pid;
          this.timeline.add(
            event.time,
            'system',
            () =>
              `${pid === undefined ? 'agent' : this.nameOf(pid)} ${inner.type.slice(6)}${typeof inner.reason === 'string' ? `: ${inner.reason}` : ''}`,
          );
        } else if (inner.type === 'agent.tool_call' && inner.outcome !== 'ok') {
          const pid = event.pid;
          this.timeline.add(
            event.time,
            'system',
            () =>
              `${pid === undefined ? 'agent' : this.nameOf(pid)}: tool ${String(inner.tool)} -> ${String(inner.outcome)}`,
          );
        }
        return;
      }
      default:
        return;
    }
  }
}

function actionText(action: MessageAction): string {
  if (action.type === 'crash') return `crash (${action.reason})`;
  if (action.type === 'hang') return 'hang';
  return `slow by ${action.ms} ms`;
}

function exitReasonOf(reason: CrashReason, target: CrashTarget) {
  if (reason === 'kill') return 'kill' as const;
  if (reason === 'shutdown') return 'shutdown' as const;
  const who = 'name' in target ? target.name : 'label' in target ? target.label : `#${target.pick}`;
  return errorReason(new InjectedCrash(who));
}
