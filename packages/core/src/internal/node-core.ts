import { customAlphabet } from 'nanoid';
import { IGNORE, type Ignore } from '../actor-result.js';
import { type Behaviour, isActorBehaviour } from '../behaviour.js';
import type { Clock } from '../clock.js';
import type { Address, SpawnOptions } from '../context.js';
import { type DeadLetterReason, DeadLetters } from '../dead-letters.js';
import { invalidArgument, WardenError } from '../errors.js';
import { EventStream, type NodeEvent } from '../events.js';
import { type ExitReason, formatReason } from '../exit-reason.js';
import { type MailboxOptions, validateMailboxOptions } from '../mailbox.js';
import { CallRequest, CastMessage } from '../messages.js';
import type { Node } from '../node.js';
import { Pid } from '../pid.js';
import { makeRef, type Ref } from '../ref.js';
import type { Envelope, Transport, TransportHost } from '../transport.js';
import { ActorRunner } from './actor-runner.js';
import { Calls } from './calls.js';
import { FunctionRunner, SystemRunner } from './function-runner.js';
import { handleInbound } from './inbound.js';
import { Process } from './process.js';
import { Registry } from './registry.js';
import { Scheduler } from './scheduler.js';
import { Signals } from './signals.js';

const incarnationId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 10);
const NEVER = new Promise<never>(() => {});

export interface NodeCoreOptions {
  readonly name: string;
  readonly clock: Clock;
  readonly transport: Transport | undefined;
  readonly mailbox: MailboxOptions;
  readonly budget: number | undefined;
  readonly slice: number | undefined;
  readonly deadLetterHistory: number | undefined;
  readonly onObserverError: (error: unknown) => void;
}

/**
 * The engine of a node: the process table, routing, signals, calls and timers. Everything here
 * is internal; users reach it through `Node` and `ActorContext`.
 *
 * Invariants: a process is in the table iff it is not dead; every link is recorded on both ends
 * (locally) or on this end plus the far node; a monitor is in the watcher's `monitorsOut` until
 * its DOWN is delivered or it is demonitored, so DOWN is delivered at most once.
 */
export class NodeCore implements TransportHost {
  readonly name: string;
  readonly incarnation: string;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly registry: Registry;
  readonly events: EventStream;
  readonly deadLetters: DeadLetters;
  readonly calls: Calls;
  readonly signals: Signals;
  readonly defaultMailbox: MailboxOptions;
  readonly transport: Transport | undefined;
  readonly table = new Map<number, Process>();
  readonly system: Process;
  /** Set by createNode: the public face handed to processes as `ctx.node`. */
  api!: Node;
  stopped = false;
  #nextId = 0;
  #nextRef = 0;
  readonly #refPrefix: string;
  readonly #timers = new Map<Ref, { handle: object; owner: Process | undefined }>();

  constructor(options: NodeCoreOptions) {
    this.name = options.name;
    this.incarnation = incarnationId();
    this.#refPrefix = `${this.name}.${this.incarnation}`;
    this.clock = options.clock;
    this.scheduler = new Scheduler(options.budget, options.slice);
    this.events = new EventStream(options.onObserverError);
    this.deadLetters = new DeadLetters(options.deadLetterHistory);
    this.calls = new Calls(this);
    this.signals = new Signals(this);
    this.defaultMailbox = options.mailbox;
    this.registry = new Registry((proc, name) => {
      if (this.events.active) {
        this.emit({ type: 'actor.registered', time: this.clock.now(), pid: proc.pid, name });
      }
    });
    this.system = new Process(
      this,
      this.#newPid(),
      new SystemRunner(),
      undefined,
      this.defaultMailbox,
      undefined,
    );
    this.table.set(this.system.pid.id, this.system);
    this.transport = options.transport;
  }

  emit(event: NodeEvent): void {
    this.events.emit(event);
  }

  newRef(): Ref {
    return makeRef(this.#refPrefix, ++this.#nextRef);
  }

  #newPid(): Pid {
    return new Pid(this.name, this.incarnation, this.#nextId++);
  }

  isLocal(pid: Pid): boolean {
    return pid.node === this.name;
  }

  /** The live local process for `pid`, if any (a pid of another incarnation has none). */
  local(pid: Pid): Process | undefined {
    if (pid.node !== this.name || pid.incarnation !== this.incarnation) return undefined;
    return this.table.get(pid.id);
  }

  // ---- spawning --------------------------------------------------------------------------------

  spawn<A>(
    behaviour: Behaviour<A>,
    options: SpawnOptions<A> | undefined,
    parent: Process | undefined,
    link: boolean,
  ): Pid {
    if (this.stopped) throw new WardenError('ERR_NODE_STOPPED', `node ${this.name} is stopped`);
    if (parent?.dead) return this.#newPid(); // a fenced process starts nothing
    const runner = isActorBehaviour(behaviour)
      ? new ActorRunner(behaviour.spec as never, options?.args)
      : typeof behaviour === 'function'
        ? new FunctionRunner(behaviour as never, options?.args)
        : undefined;
    if (runner === undefined) {
      throw invalidArgument('behaviour', behaviour, 'a defineActor behaviour or a function');
    }
    const limits =
      options?.mailbox === undefined
        ? this.defaultMailbox
        : validateMailboxOptions(options.mailbox);
    const pid = this.#newPid();
    const proc = new Process(this, pid, runner, parent?.pid, limits, options?.poison);
    if (options?.trapExit === true) proc.trapping = true;
    this.table.set(pid.id, proc);
    if (options?.name !== undefined) {
      try {
        this.registry.register(options.name, proc);
      } catch (error) {
        this.table.delete(pid.id);
        throw error;
      }
    }
    if (link && parent !== undefined) {
      (parent.links ??= new Map()).set(pid.key, pid);
      (proc.links ??= new Map()).set(parent.pid.key, parent.pid);
    }
    if (this.events.active) {
      this.emit({ type: 'actor.spawned', time: this.clock.now(), pid, parent: parent?.pid });
    }
    this.scheduler.schedule(proc);
    return pid;
  }

  /**
   * Spawns and waits until `init` has finished (OTP's synchronous start). Resolves with the pid or
   * `IGNORE`; rejects with `ERR_START_FAILED` carrying the exit reason.
   */
  start<A>(
    parent: Process | undefined,
    behaviour: Behaviour<A>,
    options: SpawnOptions<A> | undefined,
    link: boolean,
  ): Promise<Pid | Ignore> {
    let pid: Pid;
    try {
      pid = this.spawn(behaviour, options, parent, link);
    } catch (error) {
      return Promise.reject(error);
    }
    const proc = this.local(pid);
    if (proc === undefined)
      return parent?.dead ? NEVER : Promise.reject(startFailed(pid, 'noproc'));
    return new Promise((resolve, reject) => {
      proc.onStarted = (outcome) => {
        if (outcome.kind === 'started') {
          resolve(pid);
          return;
        }
        // Like proc_lib's synchronous start: the failure is reported here, not by an exit signal.
        if (parent !== undefined && link) {
          parent.links?.delete(pid.key);
          proc.links?.delete(parent.pid.key);
        }
        if (outcome.kind === 'ignored') resolve(IGNORE);
        else reject(startFailed(pid, outcome.reason));
      };
    });
  }

  // ---- exiting -------------------------------------------------------------------------------

  /**
   * Ends a process at once (this is also the kill fence): it leaves the table, its timers and
   * pending receive are cancelled, its signal aborts, its queued messages become dead letters,
   * and every link and monitor is told `reason`.
   */
  terminate(p: Process, reason: ExitReason): void {
    if (p.dead) return;
    p.dead = true;
    p.busy = true;
    this.table.delete(p.pid.id);
    this.registry.release(p);
    const waiter = p.waiter;
    if (waiter !== undefined) {
      p.waiter = undefined;
      if (waiter.timer !== undefined) this.clock.clearTimer(waiter.timer);
    }
    if (p.timers !== undefined) {
      for (const ref of p.timers) this.cancelTimer(ref);
      p.timers = undefined;
    }
    if (p.onStarted !== undefined) p.started({ kind: 'failed', reason });
    p.controller?.abort(
      new WardenError('ERR_ABORTED', `${p.pid} exited: ${formatReason(reason)}`, { reason }),
    );
    if (p.mailbox.size > 0) {
      for (const message of p.mailbox.drain()) this.deadLetter(p.pid, message, 'process-exited');
    }
    const links = p.links;
    if (links !== undefined) {
      p.links = undefined;
      for (const other of links.values()) this.signals.exitSignal(p.pid, other, reason, true);
    }
    const watchers = p.monitorsIn;
    if (watchers !== undefined) {
      p.monitorsIn = undefined;
      for (const [ref, watcher] of watchers) this.signals.down(watcher, ref, p.pid, reason);
    }
    const watching = p.monitorsOut;
    if (watching !== undefined) {
      p.monitorsOut = undefined;
      for (const [ref, target] of watching) {
        this.calls.table.abandon(ref);
        this.signals.dropRemoteEnd(p.pid, ref, target);
      }
    }
    if (this.events.active) {
      this.emit({ type: 'actor.exited', time: this.clock.now(), pid: p.pid, reason });
    }
  }

  // ---- messages ------------------------------------------------------------------------------

  /**
   * Puts a message in a local process's mailbox (or straight into its pending receive). Returns
   * false only when a local sender must be told the mailbox is full (`reject` policy).
   */
  deliver(p: Process, message: unknown, system: boolean, fromLocal: boolean): boolean {
    if (p.dead) {
      this.deadLetter(p.pid, message, 'process-exited');
      return true;
    }
    const waiter = p.waiter;
    if (waiter !== undefined) {
      let matched: boolean;
      try {
        matched = waiter.match === undefined || waiter.match(message);
      } catch (error) {
        p.waiter = undefined;
        if (waiter.timer !== undefined) this.clock.clearTimer(waiter.timer);
        waiter.reject(error);
        matched = false;
      }
      if (matched) {
        p.waiter = undefined;
        if (waiter.timer !== undefined) this.clock.clearTimer(waiter.timer);
        waiter.resolve(message);
        return true;
      }
    }
    if (!system && p.mailbox.userSize >= p.limits.capacity) {
      const policy = p.limits.overflow;
      if (this.events.active) {
        this.emit({
          type: 'mailbox.overflow',
          time: this.clock.now(),
          pid: p.pid,
          policy,
          capacity: p.limits.capacity,
        });
      }
      if (policy === 'reject' && fromLocal) return false;
      if (policy === 'drop-oldest') {
        this.deadLetter(p.pid, p.mailbox.dropOldestUser(), 'mailbox-full');
      } else {
        this.deadLetter(p.pid, message, 'mailbox-full');
        return true;
      }
    }
    p.mailbox.push(message, system);
    if (!p.busy && !p.queued) this.scheduler.schedule(p);
    return true;
  }

  /** Resolves an address to a pid; a name unknown here yields undefined. */
  resolve(to: Address): Pid | undefined {
    if (typeof to === 'string') return this.registry.lookup(to)?.pid;
    return to;
  }

  send(from: Process | undefined, to: Address, message: unknown, cast: boolean): void {
    if (from?.dead === true) {
      this.deadLetter(to instanceof Pid ? to : String(to), message, 'fenced');
      return;
    }
    if (this.stopped) {
      this.deadLetter(to instanceof Pid ? to : String(to), message, 'node-stopped');
      return;
    }
    let pid: Pid;
    if (typeof to === 'string') {
      const proc = this.registry.lookup(to);
      if (proc === undefined) {
        this.deadLetter(to, message, 'unknown-name');
        return;
      }
      pid = proc.pid;
    } else if (to instanceof Pid) {
      pid = to;
    } else {
      throw invalidArgument('to', to, 'a pid or a registered name');
    }
    if (pid.node === this.name) {
      if (pid.incarnation !== this.incarnation) {
        this.deadLetter(pid, message, 'stale-incarnation');
        return;
      }
      const target = this.table.get(pid.id);
      if (target === undefined) {
        this.deadLetter(pid, message, 'noproc');
        return;
      }
      if (!this.deliver(target, cast ? new CastMessage(message) : message, false, true)) {
        throw new WardenError('ERR_MAILBOX_FULL', `mailbox of ${pid} is full`);
      }
      return;
    }
    const envelope: Envelope = cast
      ? { kind: 'cast', to: pid, message }
      : { kind: 'send', to: pid, message };
    if (this.transport?.deliver(envelope) !== true) this.deadLetter(pid, message, 'noconnection');
  }

  deadLetter(to: Pid | string, message: unknown, reason: DeadLetterReason): void {
    if (message instanceof CallRequest && reason === 'mailbox-full') {
      const error = new WardenError('ERR_MAILBOX_FULL', `mailbox of ${String(to)} is full`);
      this.calls.reply(message.from, message.ref, undefined, error.toJSON());
    }
    const time = this.clock.now();
    this.deadLetters.record({ to, message, reason, time });
    if (this.events.active) this.emit({ type: 'deadletter', time, to, reason, message });
  }

  // ---- timers --------------------------------------------------------------------------------

  sendAfter(owner: Process | undefined, to: Address, message: unknown, delayMs: number): Ref {
    if (typeof delayMs !== 'number' || !(delayMs >= 0) || !Number.isFinite(delayMs)) {
      throw invalidArgument('delayMs', delayMs, 'a finite number >= 0');
    }
    const ref = this.newRef();
    if (owner?.dead === true) return ref;
    const handle = this.clock.setTimer(delayMs, () => {
      this.#timers.delete(ref);
      owner?.timers?.delete(ref);
      this.send(undefined, to, message, false);
    });
    this.#timers.set(ref, { handle, owner });
    if (owner !== undefined) (owner.timers ??= new Set()).add(ref);
    return ref;
  }

  cancelTimer(ref: Ref): boolean {
    const timer = this.#timers.get(ref);
    if (timer === undefined) return false;
    this.#timers.delete(ref);
    timer.owner?.timers?.delete(ref);
    this.clock.clearTimer(timer.handle);
    return true;
  }

  // ---- transport host ------------------------------------------------------------------------

  receive(envelope: Envelope): void {
    if (!this.stopped) handleInbound(this, envelope);
  }

  nodeUp(node: string): void {
    if (this.events.active) this.emit({ type: 'node.up', time: this.clock.now(), node });
  }

  /** Fires every link and monitor that crosses to `node` with `noconnection`, exactly once. */
  nodeDown(node: string): void {
    this.signals.nodeDown(node);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Ends every process with `shutdown` (a fence, no terminate callbacks) and detaches. */
  stop(): void {
    if (this.stopped) return;
    for (const p of [...this.table.values()]) if (p !== this.system) this.terminate(p, 'shutdown');
    this.calls.table.rejectAll(new WardenError('ERR_NODE_STOPPED', `node ${this.name} is stopped`));
    this.stopped = true;
    for (const ref of [...this.#timers.keys()]) this.cancelTimer(ref);
    this.transport?.detach();
    if (this.events.active)
      this.emit({ type: 'node.stopped', time: this.clock.now(), node: this.name });
  }
}

function startFailed(pid: Pid, reason: ExitReason): WardenError {
  return new WardenError('ERR_START_FAILED', `${pid} failed to start: ${formatReason(reason)}`, {
    reason,
  });
}
