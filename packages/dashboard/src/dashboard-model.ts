import { formatReason, isAbnormal, type NodeEvent, type Pid, type ProcessInfo } from '@warden/core';
import type {
  AgentView,
  BreakerStateName,
  BreakerView,
  DeadLetterView,
  LadderView,
  NodeView,
  ProcessView,
  Totals,
  TraceView,
} from './dashboard-snapshot.js';
import { AgentRecord } from './internal/agent-record.js';
import { boundedText, field } from './internal/bounded-text.js';
import { TimeSeries } from './internal/time-series.js';

type Fields = Readonly<Record<string, unknown>>;

/** The bounds of a model; defaults declared once, in `DASHBOARD_DEFAULTS`. */
export interface DashboardModelLimits {
  /** Processes a view lists at most (the rest are counted in `truncated`). */
  readonly maxProcesses: number;
  /** Exited processes kept in the tree (with their exit reason) before the oldest go. */
  readonly maxExited: number;
  /** Trace items kept per agent. */
  readonly traceLength: number;
  /** The width of a chart's bucket, in node-clock milliseconds. */
  readonly bucketMs: number;
  /** Buckets a chart keeps. */
  readonly buckets: number;
}

/** What a view reads from the live node beside the events (all optional for a model alone). */
export interface ViewProbe {
  readonly incarnation?: string;
  /** The mailbox depth of a live process. */
  mailboxOf?(pid: Pid): number | undefined;
  /** Agents waiting for a person: `agent` + NUL + `threadId`, from the approval desk. */
  readonly waiting?: ReadonlySet<string>;
  readonly connected?: readonly string[];
  readonly deadLetters?: NodeView['deadLetters'];
}

interface Entry {
  key: string;
  pid: Pid;
  parentPid: Pid | undefined;
  name: string | undefined;
  childId: string | undefined;
  supervisor: boolean;
  alive: boolean;
  restarts: number;
  exit: string | undefined;
  agent: AgentRecord | undefined;
  readonly seq: number;
}

interface Breaker {
  state: BreakerStateName;
  since: number;
  trips: number;
}

const BREAKER_STATES: Readonly<Record<string, BreakerStateName>> = {
  'breaker.trip': 'open',
  'breaker.half_open': 'half_open',
  'breaker.close': 'closed',
  'breaker.reset': 'closed',
  'breaker.isolate': 'isolated',
};

/** How much of a dead letter's message a view shows. */
const LETTER_CHARS = 300;

/**
 * The state of one node as its event stream tells it (`node.inspect`): the supervision tree, each
 * agent's lifecycle, breakers, ladders, restarts and tokens over time. It holds only what it
 * was told, within fixed bounds, and takes plain events, so a test feeds it events on a
 * `TestClock` and a view of it is plain data that a peer's dashboard can merge.
 *
 * A supervised child keeps one entry across restarts, keyed by its supervisor's entry and its
 * child id: a restart moves the new pid into it and counts one more restart. A process that
 * ends cleanly outside a supervisor leaves the tree; one that ends abnormally stays, with its
 * reason, among the last `maxExited`.
 */
export class DashboardModel {
  readonly #entries = new Map<string, Entry>();
  /** Pid key to entry key: a restarted child's pid maps to its stable entry. */
  readonly #keyOfPid = new Map<string, string>();
  /** Keys of exited entries, oldest first. */
  readonly #exited: string[] = [];
  readonly #breakers = new Map<string, Breaker>();
  readonly #ladders = new Map<string, { level: string; since: number; moves: number }>();
  readonly #restarts: TimeSeries;
  readonly #tokens: TimeSeries;
  readonly #totals = {
    restarts: 0,
    crashes: 0,
    escalations: 0,
    tokens: 0,
    steps: 0,
    toolCalls: 0,
    mailboxOverflows: 0,
  } satisfies Totals;
  #seq = 0;

  constructor(
    readonly node: string,
    readonly limits: DashboardModelLimits,
  ) {
    this.#restarts = new TimeSeries(limits.bucketMs, limits.buckets);
    this.#tokens = new TimeSeries(limits.bucketMs, limits.buckets);
  }

  /** Enters processes that were running before the model saw any event (parents first or not). */
  seed(infos: readonly ProcessInfo[]): void {
    for (const info of infos) {
      if (this.#keyOfPid.has(info.pid.key)) continue;
      this.#add(info.pid, info.parent).name = info.name;
    }
  }

  /** Applies one event; returns whether anything a view shows may have changed. */
  onEvent(event: NodeEvent): boolean {
    switch (event.type) {
      case 'actor.spawned':
        this.#add(event.pid, event.parent);
        return true;
      case 'actor.registered': {
        const entry = this.#entryOf(event.pid);
        if (entry !== undefined) entry.name = event.name;
        return entry !== undefined;
      }
      case 'actor.exited':
        this.#onExit(event.pid, event.reason, event.time);
        return true;
      case 'actor.crashed':
        this.#totals.crashes++;
        this.#entryOf(event.pid)?.agent?.crashed(formatReason(event.reason), event.time);
        return true;
      case 'supervisor.child_started':
        this.#onChildStarted(event.supervisor, event.id, event.pid);
        return true;
      case 'supervisor.restart': {
        this.#markSupervisor(event.supervisor);
        const entry = this.#entries.get(this.#childKey(event.supervisor, event.id));
        if (entry !== undefined) entry.restarts++;
        this.#totals.restarts++;
        this.#restarts.add(event.time, 1);
        return true;
      }
      case 'supervisor.escalated':
      case 'supervisor.meter_exceeded':
        this.#markSupervisor(event.supervisor);
        this.#totals.escalations++;
        return true;
      case 'supervisor.child_exited':
      case 'supervisor.start_failed':
        this.#markSupervisor(event.supervisor);
        return true;
      case 'mailbox.overflow':
        this.#totals.mailboxOverflows++;
        return true;
      case 'deadletter':
      case 'node.up':
      case 'node.down':
        return true;
      case 'published':
        return this.#onPublished(event.pid, event.event as Fields & { type: string }, event.time);
      default:
        return false;
    }
  }

  /** The node as a view: plain data, bounded by `maxProcesses`. */
  view(now: number, probe: ViewProbe = {}): NodeView {
    const ordered = [...this.#entries.values()].sort((a, b) => a.seq - b.seq);
    const listed = ordered.slice(0, this.limits.maxProcesses);
    const truncated = ordered.length - listed.length;
    const processes = listed.map((e) => this.#processView(e, probe));
    const breakers: BreakerView[] = [...this.#breakers].map(([name, b]) => ({ name, ...b }));
    const ladders: LadderView[] = [...this.#ladders].map(([source, l]) => ({ source, ...l }));
    return {
      name: this.node,
      incarnation: probe.incarnation ?? '',
      time: now,
      reachable: true,
      error: undefined,
      connected: probe.connected ?? [],
      processes,
      truncated,
      breakers,
      ladders,
      series: { restarts: this.#restarts.view(now), tokens: this.#tokens.view(now) },
      totals: { ...this.#totals },
      deadLetters: probe.deadLetters ?? { count: 0, byReason: {}, recent: [] },
    };
  }

  /** The last steps of the agent at `key` (an entry key); undefined for no such entry. */
  trace(key: string): Omit<TraceView, 'journal'> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    return {
      key,
      node: this.node,
      pid: entry.pid.toString(),
      agent: entry.agent?.name,
      threadId: entry.agent?.threadId,
      items: entry.agent?.trace.toArray() ?? [],
    };
  }

  /** The live pids of the model, for reading their mailboxes. */
  livePids(): Pid[] {
    const pids: Pid[] = [];
    for (const entry of this.#entries.values()) if (entry.alive) pids.push(entry.pid);
    return pids;
  }

  #processView(e: Entry, probe: ViewProbe): ProcessView {
    const parentKey = e.parentPid === undefined ? undefined : this.#keyOfPid.get(e.parentPid.key);
    return {
      key: e.key,
      parent: parentKey !== undefined && this.#entries.has(parentKey) ? parentKey : undefined,
      node: e.pid.node,
      pid: e.pid.toString(),
      name: e.name,
      childId: e.childId,
      kind: e.supervisor ? 'supervisor' : e.agent !== undefined ? 'agent' : 'process',
      alive: e.alive,
      restarts: e.restarts,
      exit: e.exit,
      mailbox: e.alive ? (probe.mailboxOf?.(e.pid) ?? 0) : 0,
      agent: e.agent === undefined ? undefined : agentView(e.agent, e.alive, probe.waiting),
    };
  }

  #add(pid: Pid, parent: Pid | undefined): Entry {
    const entry: Entry = {
      key: pid.key,
      pid,
      parentPid: parent,
      name: undefined,
      childId: undefined,
      supervisor: false,
      alive: true,
      restarts: 0,
      exit: undefined,
      agent: undefined,
      seq: this.#seq++,
    };
    this.#entries.set(entry.key, entry);
    this.#keyOfPid.set(pid.key, entry.key);
    return entry;
  }

  #entryOf(pid: Pid | undefined): Entry | undefined {
    if (pid === undefined) return undefined;
    const key = this.#keyOfPid.get(pid.key);
    return key === undefined ? undefined : this.#entries.get(key);
  }

  #childKey(supervisor: Pid, id: string): string {
    return `${this.#keyOfPid.get(supervisor.key) ?? supervisor.key}#${id}`;
  }

  #markSupervisor(pid: Pid): void {
    const entry = this.#entryOf(pid);
    if (entry !== undefined) entry.supervisor = true;
  }

  #onExit(pid: Pid, reason: Parameters<typeof formatReason>[0], time: number): void {
    const entry = this.#entryOf(pid);
    if (entry === undefined || !samePidKey(entry.pid, pid)) return;
    const text = formatReason(reason);
    entry.alive = false;
    entry.exit = text;
    entry.agent?.exited(text, time);
    if (!isAbnormal(reason) && entry.childId === undefined) {
      this.#remove(entry);
      return;
    }
    this.#exited.push(entry.key);
    while (this.#exited.length > this.limits.maxExited) {
      const oldest = this.#entries.get(this.#exited.shift() as string);
      if (oldest !== undefined && !oldest.alive) this.#remove(oldest);
    }
  }

  #remove(entry: Entry): void {
    this.#entries.delete(entry.key);
    if (this.#keyOfPid.get(entry.pid.key) === entry.key) this.#keyOfPid.delete(entry.pid.key);
    const at = this.#exited.indexOf(entry.key);
    if (at >= 0) this.#exited.splice(at, 1);
  }

  /**
   * A supervisor started a child: the entry of its id takes the new pid (a restart), or the
   * process's own entry is renamed to that id (its first start).
   */
  #onChildStarted(supervisor: Pid, id: string, pid: Pid): void {
    this.#markSupervisor(supervisor);
    const stable = this.#childKey(supervisor, id);
    const current = this.#entryOf(pid) ?? this.#add(pid, supervisor);
    const existing = this.#entries.get(stable);
    if (existing === current) return;
    this.#entries.delete(current.key);
    if (existing === undefined) {
      current.key = stable;
      current.childId = id;
      this.#entries.set(stable, current);
    } else {
      // The earlier run's pid is dead: only the current pid of an entry leads to it.
      if (this.#keyOfPid.get(existing.pid.key) === stable) this.#keyOfPid.delete(existing.pid.key);
      existing.pid = pid;
      existing.parentPid = current.parentPid;
      existing.name = current.name;
      existing.alive = true;
      existing.supervisor = current.supervisor;
      existing.agent?.restarted();
      if (current.agent !== undefined) {
        if (existing.agent === undefined) existing.agent = current.agent;
        else existing.agent.absorb(current.agent);
      }
      const at = this.#exited.indexOf(stable);
      if (at >= 0) this.#exited.splice(at, 1);
    }
    this.#keyOfPid.set(pid.key, stable);
  }

  #onPublished(pid: Pid | undefined, event: Fields & { type: string }, time: number): boolean {
    const type = event.type;
    if (type.startsWith('agent.')) {
      const entry = this.#entryOf(pid);
      if (entry === undefined) return false;
      entry.agent ??= new AgentRecord(field(event, 'agent', 'agent'), this.limits.traceLength);
      const tokens = entry.agent.apply(type, event, time);
      if (type === 'agent.step') {
        this.#totals.steps++;
        this.#totals.tokens += tokens;
        this.#tokens.add(time, tokens);
      } else if (type === 'agent.tool_call') this.#totals.toolCalls++;
      return true;
    }
    const breakerState = BREAKER_STATES[type];
    if (breakerState !== undefined) {
      const name = field(event, 'name', 'breaker');
      const breaker = this.#breakers.get(name) ?? { state: 'closed', since: time, trips: 0 };
      breaker.state = breakerState;
      breaker.since = time;
      if (breakerState === 'open') breaker.trips++;
      this.#breakers.set(name, breaker);
      return true;
    }
    if (type === 'degrade.level_changed') {
      const source = field(event, 'source', 'ladder');
      const ladder = this.#ladders.get(source) ?? { level: 'primary', since: time, moves: 0 };
      ladder.level = field(event, 'to', 'primary');
      ladder.since = time;
      ladder.moves++;
      this.#ladders.set(source, ladder);
      return true;
    }
    return false;
  }
}

function agentView(
  agent: AgentRecord,
  alive: boolean,
  waiting: ReadonlySet<string> | undefined,
): AgentView {
  const asking =
    alive &&
    agent.threadId !== undefined &&
    waiting?.has(`${agent.name}\u0000${agent.threadId}`) === true;
  return {
    name: agent.name,
    state: asking ? 'awaiting_approval' : agent.state,
    level: agent.level,
    threadId: agent.threadId,
    step: agent.step,
    tokens: agent.tokens,
  };
}

function samePidKey(a: Pid, b: Pid): boolean {
  return a.key === b.key;
}

/** A node's dead letter as a view row. */
export function nodeLetterView(letter: {
  readonly to: Pid | string;
  readonly message: unknown;
  readonly reason: string;
  readonly time: number;
}): DeadLetterView {
  return {
    source: 'node',
    id: undefined,
    time: letter.time,
    reason: letter.reason,
    to: String(letter.to),
    summary: boundedText(letter.message, LETTER_CHARS),
    attempts: undefined,
  };
}
