import { customAlphabet } from 'nanoid';
import type { Ignore } from '../actor-result.js';
import type { Behaviour } from '../behaviour.js';
import type { Clock } from '../clock.js';
import type { SpawnOptions, StartOptions } from '../context.js';
import { type DeadLetterReason, DeadLetters } from '../dead-letters.js';
import { invalidArgument, WardenError } from '../errors.js';
import { EventStream, type ExitCause, type NodeEvent } from '../events.js';
import { type ExitReason, errorReason, formatReason } from '../exit-reason.js';
import { type MailboxOptions, validateMailboxOptions } from '../mailbox.js';
import { CallRequest } from '../messages.js';
import type { Node } from '../node.js';
import { cellOf, Pid, setCell } from '../pid.js';
import { isPoisonGuard } from '../poison-guard.js';
import { makeRef, type Ref } from '../ref.js';
import type { ContextPropagation } from '../trace-context.js';
import type { Envelope, Transport, TransportHost } from '../transport.js';
import { Calls } from './calls.js';
import { runIn } from './context-propagation.js';
import { SystemRunner } from './function-runner.js';
import { NO_PAYLOAD, payloadOf, receiveInbound, receiveInboundMessage } from './inbound.js';
import { Process, type Runner } from './process.js';
import { ProcessTable } from './process-table.js';
import { Registry } from './registry.js';
import { Router } from './router.js';
import { Runners } from './runner-of.js';
import { Scheduler } from './scheduler.js';
import { signalError } from './signal-error.js';
import { Signals } from './signals.js';
import { startProcess } from './synchronous-start.js';
import { Timers } from './timers.js';
import { untraced } from './traced-message.js';

const incarnationId = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 10);

export interface NodeCoreOptions {
  readonly name: string;
  readonly clock: Clock;
  readonly transport: Transport | undefined;
  readonly mailbox: MailboxOptions;
  readonly budget: number | undefined;
  readonly slice: number | undefined;
  readonly deadLetterHistory: number | undefined;
  readonly onError: (error: unknown) => void;
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
  readonly registry: Registry<Process>;
  readonly events: EventStream;
  readonly deadLetters: DeadLetters;
  readonly calls: Calls;
  readonly signals: Signals;
  readonly timers: Timers;
  readonly router: Router;
  readonly defaultMailbox: MailboxOptions;
  readonly transport: Transport | undefined;
  readonly table = new ProcessTable<Process>();
  readonly system: Process;
  /** Set by createNode: the public face handed to processes as `ctx.node`. */
  api!: Node;
  stopped = false;
  /**
   * Aborted when the node stops: `node.signal`. Made when first read (many nodes, a simulated
   * run's, are never asked for it); read after the stop, it is born aborted with the stop's error.
   */
  #lifetime: AbortController | undefined = undefined;
  #stopError: WardenError | undefined = undefined;
  /** Where errors the runtime catches to protect itself are reported. */
  readonly onInternalError: (error: unknown) => void;
  /** How messages carry their sender's trace context (`node.setContextPropagation`); usually none. */
  propagation: ContextPropagation | undefined = undefined;
  /** Whether a mailbox of this node may hold a `TracedMessage`: receives unwrap only then. */
  traced = false;
  /**
   * Whether a send asks the propagation for the sender's context: while one is installed, except
   * during a scheduler turn outside the handler of a message that carried a context. Such a turn
   * runs outside any context (`isolate`), so there is nothing to ask for, and a flood of plain
   * messages costs one check a send, as with none installed. The price: a span that code of such
   * a handler makes active before its first `await` is not seen by the sends made inside it.
   */
  capture = false;
  /** The last revived pid `local` resolved, and its process; forgotten when that process ends. */
  #revivedPid: Pid | undefined = undefined;
  #revivedProcess: Process | undefined = undefined;
  /**
   * The behaviour spawned last and its runner: churn spawns one behaviour again and again, and
   * even a lookup in `#runners` was a visible share of a spawn. Held as long as the node.
   */
  #lastBehaviour: unknown = undefined;
  #lastRunner: Runner | undefined = undefined;
  readonly #runners = new Runners();
  #nextId = 0;
  #nextRef = 0;
  readonly #refPrefix: string;

  constructor(options: NodeCoreOptions) {
    this.name = options.name;
    this.incarnation = incarnationId();
    this.#refPrefix = `${this.name}.${this.incarnation}`;
    this.clock = options.clock;
    // Changed once here so that compiled code reading it does not assume it constant and get
    // dropped when the node stops (see the same in Process).
    this.stopped = true;
    this.stopped = false;
    this.scheduler = new Scheduler(options.budget, options.slice);
    this.events = new EventStream(options.onError);
    this.onInternalError = options.onError;
    this.deadLetters = new DeadLetters(options.deadLetterHistory);
    this.calls = new Calls(this);
    this.signals = new Signals(this);
    this.timers = new Timers(this);
    this.router = new Router(this);
    this.defaultMailbox = options.mailbox;
    this.registry = new Registry<Process>((proc, name) => {
      if (this.events.wants('actor.registered')) {
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
    const cell = cellOf(pid) as Process | undefined;
    if (cell !== undefined && cell.core === this) return cell;
    // A pid that came over the wire has no cell. A flood from another node names one process
    // again and again, with one pid object (transports revive a repeated pid once), so the last
    // one found is remembered: the comparisons of node and incarnation are skipped for it.
    if (pid === this.#revivedPid) return this.#revivedProcess;
    if (pid.node !== this.name || pid.incarnation !== this.incarnation) return undefined;
    const process = this.table.get(pid.id);
    if (process !== undefined) {
      this.#revivedPid = pid;
      this.#revivedProcess = process;
    }
    return process;
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
    let runner = this.#lastRunner;
    if (behaviour !== this.#lastBehaviour || runner === undefined) {
      runner = this.#runners.of(behaviour);
      if (runner === undefined) {
        throw invalidArgument('behaviour', behaviour, 'a defineActor behaviour or a function');
      }
      this.#lastBehaviour = behaviour;
      this.#lastRunner = runner;
    }
    const poison = options?.poison;
    if (poison !== undefined && !isPoisonGuard(poison)) {
      throw invalidArgument('poison', poison, 'a PoisonGuard (createPoisonGuard)');
    }
    const limits =
      options?.mailbox === undefined
        ? this.defaultMailbox
        : validateMailboxOptions(options.mailbox);
    const pid = this.#newPid();
    const proc = new Process(
      this,
      pid,
      runner,
      parent?.pid,
      limits,
      options?.poison,
      options?.args,
    );
    if (options?.trapExit === true) proc.trapping = true;
    this.table.set(pid.id, proc);
    setCell(pid, proc);
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
    if (this.events.wants('actor.spawned')) {
      this.emit({ type: 'actor.spawned', time: this.clock.now(), pid, parent: parent?.pid });
    }
    this.scheduler.schedule(proc);
    return pid;
  }

  /** Spawns and waits until `init` has finished (OTP's synchronous start; see `startProcess`). */
  start<A>(
    parent: Process | undefined,
    behaviour: Behaviour<A>,
    options: StartOptions<A> | undefined,
    link: boolean,
  ): Promise<Pid | Ignore> {
    return startProcess(this, parent, behaviour, options, link);
  }

  // ---- exiting -------------------------------------------------------------------------------

  /**
   * A runtime invariant broke while running `p` (never the user's handler: those throws are the
   * process's exit). The process ends with the error, the node goes on, and the error is reported.
   */
  fail(p: Process, error: unknown): void {
    this.onInternalError(error);
    this.terminate(p, errorReason(error), 'crash');
  }

  /**
   * Ends a process at once (this is also the kill fence): it leaves the table, its timers and
   * pending receive are cancelled, its signal aborts, its queued messages become dead letters,
   * and every link and monitor is told `reason`.
   */
  terminate(p: Process, reason: ExitReason, cause: ExitCause = 'self'): void {
    if (p.dead) return;
    p.dead = true;
    p.busy = true;
    this.table.delete(p.pid.id);
    setCell(p.pid, undefined);
    if (this.#revivedProcess === p) {
      this.#revivedPid = undefined;
      this.#revivedProcess = undefined;
    }
    // A process that never had a name, link, monitor, timer, signal or waiting start (most of
    // them) has no `rare` record, and skips all of that with one check each.
    if (p.rare !== undefined) this.registry.release(p);
    const waiter = p.waiter;
    if (waiter !== undefined) {
      p.waiter = undefined;
      if (waiter.timer !== undefined) this.clock.clearTimer(waiter.timer);
    }
    const rare = p.rare;
    if (rare !== undefined) {
      if (rare.timers !== undefined) {
        for (const ref of rare.timers) this.timers.cancel(ref);
        rare.timers = undefined;
      }
      if (rare.onStarted !== undefined) p.started('failed', reason);
      const listeners = rare.exitListeners;
      if (rare.controller !== undefined || listeners !== undefined) {
        const error = signalError('ERR_ABORTED', `${p.pid} exited: ${formatReason(reason)}`, {
          reason,
        });
        rare.controller?.abort(error);
        if (listeners !== undefined) {
          rare.exitListeners = undefined;
          for (const listener of listeners) {
            try {
              listener(error);
            } catch (thrown) {
              // As an abort listener's: reported, and the exit goes on.
              queueMicrotask(() => {
                throw thrown;
              });
            }
          }
        }
      }
    }
    if (p.mailbox.size > 0) {
      for (const message of p.mailbox.drain()) this.deadLetter(p.pid, message, 'process-exited');
    }
    if (p.rare !== undefined) this.signals.exited(p, reason);
    if (this.events.wants('actor.exited')) {
      this.emit({ type: 'actor.exited', time: this.clock.now(), pid: p.pid, reason, cause });
    }
  }

  deadLetter(to: Pid | string, traced: unknown, reason: DeadLetterReason): void {
    const message = untraced(traced);
    if (message instanceof CallRequest && reason === 'mailbox-full') {
      const error = new WardenError('ERR_MAILBOX_FULL', `mailbox of ${String(to)} is full`);
      this.calls.reply(message, undefined, error.toJSON());
    }
    const time = this.clock.now();
    this.deadLetters.record({ to, message, reason, time });
    if (this.events.wants('deadletter'))
      this.emit({ type: 'deadletter', time, to, reason, message });
  }

  // ---- transport host ------------------------------------------------------------------------

  receive(value: unknown): void {
    receiveInbound(this, value);
  }

  receiveMessage(to: Pid, message: unknown, cast: boolean, trace?: unknown): void {
    receiveInboundMessage(this, to, message, cast, trace);
  }

  undeliverable(envelope: Envelope): void {
    const payload = payloadOf(envelope);
    if (payload !== NO_PAYLOAD) this.deadLetter(envelope.to, payload, 'noconnection');
  }

  nodeUp(node: string): void {
    if (this.events.wants('node.up')) this.emit({ type: 'node.up', time: this.clock.now(), node });
  }

  /** Fires every link and monitor that crosses to `node` with `noconnection`, exactly once. */
  nodeDown(node: string): void {
    this.signals.nodeDown(node);
  }

  // ---- trace context -------------------------------------------------------------------------

  /**
   * Installs (or, with undefined, removes) the node's context propagation. A scheduler turn then
   * starts outside any context: without that, a turn would run in the context of whatever code
   * scheduled it, and every handler in it would inherit that.
   */
  setPropagation(propagation: ContextPropagation | undefined): void {
    this.propagation = propagation;
    this.capture = propagation !== undefined;
    this.scheduler.isolate =
      propagation === undefined
        ? undefined
        : (turn) => {
            this.capture = false;
            try {
              runIn(this, propagation, undefined, turn);
            } finally {
              this.capture = this.propagation !== undefined;
            }
          };
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /**
   * Ends every process with `shutdown` (a fence, no terminate callbacks) and detaches. Nothing
   * of the node outlives it: its timers are cancelled, its run queue cleared, `node.stopped` is
   * its last event (observers are let go after it), and `node.signal` aborts last, so the
   * packages above can stop what they hold.
   */
  stop(): void {
    if (this.stopped) return;
    const error = signalError('ERR_NODE_STOPPED', `node ${this.name} is stopped`);
    this.calls.table.rejectAll(error);
    for (const p of this.table.values()) {
      if (p !== this.system) this.terminate(p, 'shutdown', 'node-stopped');
    }
    this.stopped = true;
    this.timers.cancelAll();
    this.calls.table.rejectAll(error);
    this.scheduler.clear();
    this.transport?.detach();
    if (this.events.wants('node.stopped')) {
      this.emit({ type: 'node.stopped', time: this.clock.now(), node: this.name });
    }
    this.events.close();
    this.#stopError = error;
    this.#lifetime?.abort(error);
  }

  get lifetime(): AbortSignal {
    if (this.#lifetime === undefined) {
      this.#lifetime = new AbortController();
      if (this.#stopError !== undefined) this.#lifetime.abort(this.#stopError);
    }
    return this.#lifetime.signal;
  }
}
