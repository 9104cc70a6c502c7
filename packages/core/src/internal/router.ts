import type { Address } from '../context.js';
import { invalidArgument, WardenError } from '../errors.js';
import { CastMessage } from '../messages.js';
import { cellOf, Pid } from '../pid.js';
import type { TraceContext } from '../trace-context.js';
import { type Envelope, refusalReason } from '../transport.js';
import { captureContext, traceMessage } from './context-propagation.js';
import type { NodeCore } from './node-core.js';
import type { Process } from './process.js';
import { untraced } from './traced-message.js';

/**
 * Where messages go: a local mailbox (or a pending receive), the transport for another node, or
 * the dead letters with the reason it could not be delivered. Code never checks where a pid
 * lives; the router does.
 */
export class Router {
  readonly #core: NodeCore;

  constructor(core: NodeCore) {
    this.#core = core;
  }

  /**
   * Puts a message in a local process's mailbox (or straight into its pending receive). Returns
   * false only when a local sender must be told the mailbox is full (`reject` policy).
   */
  deliver(p: Process, message: unknown, system: boolean, fromLocal: boolean): boolean {
    // The common case stays small enough to inline into every sender.
    if (p.dead || p.waiter !== undefined || (!system && p.mailbox.userSize >= p.limits.capacity)) {
      return this.#deliverSlow(p, message, system, fromLocal);
    }
    p.mailbox.push(message, system);
    if (!p.busy && !p.queued) this.#core.scheduler.schedule(p);
    return true;
  }

  /** A dead target, a pending receive, or a full mailbox. */
  #deliverSlow(p: Process, message: unknown, system: boolean, fromLocal: boolean): boolean {
    if (p.dead) {
      this.#core.deadLetter(p.pid, message, 'process-exited');
      return true;
    }
    const waiter = p.waiter;
    if (waiter !== undefined) {
      // A process function's receive: it gets the message itself (its code resumes in its own
      // context, whatever the message carried).
      const plain = untraced(message);
      let matched: boolean;
      try {
        matched = waiter.match === undefined || waiter.match(plain);
      } catch (error) {
        p.waiter = undefined;
        if (waiter.timer !== undefined) this.#core.clock.clearTimer(waiter.timer);
        waiter.reject(error);
        matched = false;
      }
      if (matched) {
        p.waiter = undefined;
        if (waiter.timer !== undefined) this.#core.clock.clearTimer(waiter.timer);
        waiter.resolve(plain);
        return true;
      }
    }
    if (!system && p.mailbox.userSize >= p.limits.capacity) {
      const policy = p.limits.overflow;
      if (this.#core.events.wants('mailbox.overflow')) {
        this.#core.emit({
          type: 'mailbox.overflow',
          time: this.#core.clock.now(),
          pid: p.pid,
          policy,
          capacity: p.limits.capacity,
        });
      }
      if (policy === 'reject' && fromLocal) return false;
      if (policy === 'drop-oldest') {
        this.#core.deadLetter(p.pid, p.mailbox.dropOldestUser(), 'mailbox-full');
      } else {
        this.#core.deadLetter(p.pid, message, 'mailbox-full');
        return true;
      }
    }
    p.mailbox.push(message, system);
    if (!p.busy && !p.queued) this.#core.scheduler.schedule(p);
    return true;
  }

  /** Resolves an address to a pid; a name unknown here yields undefined. */
  resolve(to: Address): Pid | undefined {
    if (typeof to === 'string') return this.#core.registry.lookup(to)?.pid;
    return to;
  }

  send(from: Process | undefined, to: Address, message: unknown, cast: boolean): void {
    // With context propagation installed, a sender that has a context sends it along.
    if (this.#core.capture && this.#sendTraced(from, to, message, cast)) return;
    // The hot path, kept small enough to inline into its callers: a live local process, reached
    // through its pid without a table lookup.
    if (to instanceof Pid) {
      const cell = cellOf(to) as Process | undefined;
      if (cell !== undefined && cell.core === this.#core && from?.dead !== true) {
        if (!this.deliver(cell, cast ? new CastMessage(message) : message, false, true)) {
          throw new WardenError('ERR_MAILBOX_FULL', `mailbox of ${to} is full`);
        }
        return;
      }
    }
    this.sendWith(from, to, message, cast, undefined);
  }

  /** Sends with the sender's context and returns true, or returns false when it has none. */
  #sendTraced(from: Process | undefined, to: Address, message: unknown, cast: boolean): boolean {
    const context = captureContext(this.#core);
    if (context === undefined) return false;
    this.sendWith(from, to, message, cast, context);
    return true;
  }

  /**
   * A send with the trace context given (none: undefined), not the sender's current one: a timer
   * sends with the context it was set in. Also everything `send`'s hot path leaves: a fenced
   * sender, a name, a stale pid, another node.
   */
  sendWith(
    from: Process | undefined,
    to: Address,
    message: unknown,
    cast: boolean,
    context: TraceContext | undefined,
  ): void {
    if (from?.dead === true) {
      this.#core.deadLetter(to instanceof Pid ? to : String(to), message, 'fenced');
      return;
    }
    if (this.#core.stopped) {
      this.#core.deadLetter(to instanceof Pid ? to : String(to), message, 'node-stopped');
      return;
    }
    let pid: Pid;
    if (typeof to === 'string') {
      const proc = this.#core.registry.lookup(to);
      if (proc === undefined) {
        this.#core.deadLetter(to, message, 'unknown-name');
        return;
      }
      pid = proc.pid;
    } else if (to instanceof Pid) {
      pid = to;
    } else {
      throw invalidArgument('to', to, 'a pid or a registered name');
    }
    if (pid.node === this.#core.name) {
      if (pid.incarnation !== this.#core.incarnation) {
        this.#core.deadLetter(pid, message, 'stale-incarnation');
        return;
      }
      const target = this.#core.table.get(pid.id);
      if (target === undefined) {
        this.#core.deadLetter(pid, message, 'noproc');
        return;
      }
      const entry = cast ? new CastMessage(message) : message;
      const queued = context === undefined ? entry : traceMessage(this.#core, entry, context);
      if (!this.deliver(target, queued, false, true)) {
        throw new WardenError('ERR_MAILBOX_FULL', `mailbox of ${pid} is full`);
      }
      return;
    }
    const envelope: Envelope = cast
      ? { kind: 'cast', to: pid, message }
      : { kind: 'send', to: pid, message };
    if (context !== undefined) envelope.trace = context;
    const refused = refusalReason(this.#core.transport?.deliver(envelope));
    if (refused !== undefined) this.#core.deadLetter(pid, message, refused);
  }
}
