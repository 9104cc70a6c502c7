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
  type Behaviour,
  createNode,
  errorReason,
  type Node,
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
import { chaosTool } from './internal/chaos-tool.js';
import { InstanceTracker, type InstanceViolation } from './internal/instance-tracker.js';
import { notingModel } from './internal/noting-model.js';
import { OBSERVED_TYPES, observeNode } from './internal/observe-node.js';
import { ProcessNames } from './internal/process-names.js';
import { SchedulePlan } from './internal/schedule-plan.js';
import { SimClock } from './internal/sim-clock.js';
import { SimNetwork } from './internal/sim-network.js';
import { RequestLedger } from './request-ledger.js';
import { Timeline } from './timeline.js';

/**
 * The simulation a node belongs to: how a tool defined once finds the run it is part of. Found
 * through the node's clock, which knows its run, not kept in a `WeakMap` from node to run: a
 * scavenge keeps a weak map's values alive, so every run's graph was copied and promoted before
 * a full collection freed it.
 */
export function simulationOf(node: Node): Simulation | undefined {
  const clock = node.clock;
  if (!(clock instanceof SimClock)) return undefined;
  const sim = clock.owner;
  return sim instanceof Simulation && sim.nodes.includes(node) ? sim : undefined;
}

export type { InstanceViolation } from './internal/instance-tracker.js';

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
  readonly instanceViolations: readonly InstanceViolation[];
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
  readonly #network: SimNetwork;
  readonly #names = new ProcessNames();
  readonly #instances = new InstanceTracker();
  readonly #plan: SchedulePlan;
  readonly #unobserve: (() => void)[] = [];
  #clientRequests = 0;

  constructor(schedule: readonly Fault[], seed: number, options: SimulationOptions = {}) {
    this.schedule = schedule;
    this.seed = seed;
    this.random = seededRandom(seed >>> 0);

    this.clock = new SimClock(new TestClock());
    this.clock.owner = this;
    this.#network = new SimNetwork(this.clock, this.random, options.jitterMs ?? 2);
    this.instanceViolations = this.#instances.violations;
    this.effects = new EffectRecorder(
      () => this.clock.now(),
      (e) =>
        this.timeline.add(
          e.at,
          'system',
          `effect ${e.tool} ${e.key}${e.irreversible ? ' (irreversible)' : ''}`,
        ),
    );
    this.#plan = new SchedulePlan(schedule);
  }

  /** A node of the run, on the run's clock and network, observed for the timeline. */
  node(
    name = `n${this.nodes.length + 1}`,
    options: Omit<NodeOptions, 'name' | 'clock' | 'transport'> = {},
  ): Node {
    const transport = this.#network.transport();
    const node = createNode({ ...options, name, clock: this.clock, transport });
    const unobserve = node.inspect(
      observeNode(node, {
        timeline: this.timeline,
        names: this.#names,
        instances: this.#instances,
        restarts: this.restarts,
        agentEvents: this.agentEvents,
      }),
      { types: OBSERVED_TYPES },
    );
    this.#unobserve.push(unobserve);
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
        const { nth, action } = this.#plan.message(l);
        if (action !== undefined) {
          this.timeline.add(
            this.clock.now(),
            'fault',
            () => `${actionText(action)} "${l}" on message ${nth}`,
          );
        }
        return action;
      },
      onStart: (l, ctx) => {
        this.#names.started(l, ctx.self);
        if (options.instance !== undefined) this.instance(options.instance, ctx.self);
      },
    });
  }

  /** The tool, its calls counted, open to the schedule's tool failures. */
  tool<T extends AnyTool>(tool: T): T {
    return chaosTool(tool, (name) => {
      const counted = this.#plan.toolCall(name);
      const action = counted.action;
      if (action !== undefined) {
        this.timeline.add(
          this.clock.now(),
          'fault',
          `tool "${name}" call ${counted.nth}: ${action.type}`,
        );
      }
      return counted;
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
    return notingModel(inner, (index) => {
      const hit = hits.find((f) => index >= f.call && index < f.call + f.count);
      if (hit !== undefined) {
        this.timeline.add(
          this.clock.now(),
          'fault',
          `model "${label}" call ${index}: ${hit.fault}`,
        );
      }
    });
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
    const violation = this.#instances.declare(key, pid, this.clock.now());
    if (violation !== undefined) {
      this.timeline.add(violation.at, 'system', `${violation.live} live instances of "${key}"`);
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
    if (!this.#plan.redelivers(nth)) return first;
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
    this.#plan.arm();
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
        this.#network.slow(fault.from, fault.to, fault.ms, fault.forMs);
        return;
      case 'clock-jump':
        this.timeline.add(now, 'fault', describeFault(fault));
        this.clock.jump(fault.ms);
        return;
      default:
        return;
    }
  }

  /**
   * Stops every node, so no timer or process outlives the run. The run's records are complete
   * by then: the exits of the stop itself are not observed (a node nobody else observes then
   * does not even make their events).
   */
  async stopNodes(): Promise<void> {
    for (const unobserve of this.#unobserve.splice(0)) unobserve();
    for (const node of this.nodes) await node.stop();
  }

  /** Heals every partition and link fault: the quiet period after the schedule. */
  healAll(): void {
    this.#network.healAll();
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
    return this.#names.nameOf(pid);
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
      const pids = this.#names.labelled(target.label);
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
