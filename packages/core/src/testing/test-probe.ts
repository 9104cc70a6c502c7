import type { ActorContext, Address } from '../context.js';
import { isWardenError } from '../errors.js';
import type { ExitReason } from '../exit-reason.js';
import { sameReason } from '../exit-reason.js';
import { coreOf } from '../internal/core-of.js';
import { isProcessExit } from '../internal/runner.js';
import { untraced } from '../internal/traced-message.js';
import { DownMessage, ExitMessage } from '../messages.js';
import type { Node } from '../node.js';
import { isPid, type Pid, samePid } from '../pid.js';
import type { Ref } from '../ref.js';
import { TestClock } from './test-clock.js';

export interface ProbeOptions {
  /** Trap exits, so that linking to a crashing process reports an EXIT instead of killing the probe. Default true. */
  readonly trapExit?: boolean;
}

export interface ExpectOptions {
  /** How long to wait, in ms on the node's clock. With a TestClock, virtual time is advanced. Default 5000. */
  readonly within?: number;
}

const DEFAULT_WITHIN = 5000;

/**
 * A process that records what it receives, with assertions for tests: expect a message, a DOWN,
 * an EXIT, or nothing. On a `TestClock` node the waits advance virtual time only as far as the
 * next timer at a time, so the expectation succeeds at the earliest virtual instant possible.
 */
export class TestProbe {
  readonly node: Node;
  readonly pid: Pid;
  /** The probe process's own context: everything the probe does goes through it. */
  readonly #ctx: ActorContext;
  /** A look at the mailbox without taking from it (the one thing a context does not offer). */
  readonly #peek: () => unknown[];

  constructor(node: Node, options: ProbeOptions = {}) {
    this.node = node;
    // The process does nothing of its own: its mailbox is read only when an expectation asks.
    this.pid = node.spawn(() => new Promise<never>(() => {}), {
      trapExit: options.trapExit ?? true,
      mailbox: { capacity: Number.POSITIVE_INFINITY },
    });
    const proc = coreOf(node).local(this.pid);
    if (proc === undefined) throw new Error('TestProbe: the probe process did not start');
    this.#ctx = proc.ctx;
    this.#peek = () => proc.mailbox.toArray().map(untraced);
  }

  /** Messages received and not yet taken by an expectation, oldest first (a snapshot). */
  get messages(): readonly unknown[] {
    return this.#peek();
  }

  /** Whether the probe's process is still alive (it ends by `exit(reason)` or a signal). */
  get alive(): boolean {
    return this.node.isAlive(this.pid);
  }

  link(pid: Pid): void {
    this.#ctx.link(pid);
  }

  unlink(pid: Pid): void {
    this.#ctx.unlink(pid);
  }

  monitor(pid: Pid): Ref {
    return this.#ctx.monitor(pid);
  }

  demonitor(ref: Ref, options?: { flush?: boolean }): boolean {
    return this.#ctx.demonitor(ref, options);
  }

  /** Sends as the probe, so replies and answers come back to it. */
  send(to: Address, message: unknown): void {
    this.#ctx.send(to, message);
  }

  /** Sets the probe's trap-exit flag, returning the previous value. */
  trapExit(on: boolean): boolean {
    return this.#ctx.trapExit(on);
  }

  /**
   * `exit(reason)` ends the probe itself with `reason`, so its links and monitors see that exit
   * (the probe acting as a linked process that crashes); `exit(pid, reason)` sends an exit signal
   * as the probe.
   */
  exit(reason: ExitReason): void;
  exit(pid: Pid, reason: ExitReason): void;
  exit(target: Pid | ExitReason, reason?: ExitReason): void {
    if (isPid(target)) {
      this.#ctx.exit(target, reason as ExitReason);
      return;
    }
    if (!this.alive) return;
    try {
      this.#ctx.exit(target);
    } catch (error) {
      if (!isProcessExit(error)) throw error;
    }
  }

  /** Waits for the oldest message that matches and removes it. */
  async expectMessage<T = unknown>(
    match: ((m: unknown) => m is T) | ((m: unknown) => boolean) = () => true,
    options: ExpectOptions = {},
  ): Promise<T> {
    const within = options.within ?? DEFAULT_WITHIN;
    const found = await this.#await(match, within);
    if (found === NOTHING) {
      throw new Error(
        `TestProbe: no matching message within ${within} ms; received: ${this.#describe()}`,
      );
    }
    return found as T;
  }

  /** Waits for a DOWN, for a monitor ref or for a pid, optionally with a given reason. */
  async expectDown(
    target?: Ref | Pid,
    reason?: ExitReason,
    options?: ExpectOptions,
  ): Promise<DownMessage> {
    return this.expectMessage(
      (m): m is DownMessage =>
        m instanceof DownMessage &&
        (target === undefined ||
          (typeof target === 'string' ? m.ref === target : samePid(m.pid, target))) &&
        (reason === undefined || sameReason(m.reason, reason)),
      options,
    );
  }

  /** Waits for a trapped EXIT from `from`, optionally with a given reason. */
  async expectExit(from?: Pid, reason?: ExitReason, options?: ExpectOptions): Promise<ExitMessage> {
    return this.expectMessage(
      (m): m is ExitMessage =>
        m instanceof ExitMessage &&
        (from === undefined || samePid(m.from, from)) &&
        (reason === undefined || sameReason(m.reason, reason)),
      options,
    );
  }

  /** Asserts that no (matching) message arrives within `within` ms (default 100). */
  async expectNoMessage(within = 100, match: (m: unknown) => boolean = () => true): Promise<void> {
    const found = await this.#await(match, within);
    if (found !== NOTHING) {
      throw new Error(
        `TestProbe: expected no message within ${within} ms, got ${describeMessage(found)}` +
          `${this.messages.length > 0 ? ` (then ${this.#describe()})` : ''}`,
      );
    }
  }

  /** Drops everything received so far. */
  clear(): void {
    this.#ctx.flush(() => true);
  }

  /**
   * Takes the oldest matching message, waiting up to `within` ms for it. On a `TestClock` the
   * mailbox is looked at once per virtual instant, advancing only as far as the next timer at a
   * time; on a real clock it is one `receive` with that timeout.
   */
  async #await(match: (m: unknown) => boolean, within: number): Promise<unknown> {
    this.#assertAlive();
    const clock = this.node.clock;
    if (!(clock instanceof TestClock)) return this.#receive(match, within);
    await clock.settle();
    let elapsed = 0;
    for (;;) {
      this.#assertAlive();
      const found = this.#take(match);
      if (found !== NOTHING || elapsed >= within) return found;
      const next = clock.nextTimerIn();
      const step =
        next === undefined ? within - elapsed : Math.min(Math.max(next, 0), within - elapsed);
      await clock.advance(step);
      elapsed += step;
    }
  }

  /**
   * One `receive` with the timeout; the probe's own signal ends the wait if the probe exits
   * meanwhile (a dead process's receive never settles).
   */
  #receive(match: (m: unknown) => boolean, within: number): Promise<unknown> {
    const signal = this.#ctx.signal;
    return new Promise((resolve, reject) => {
      const onExit = (): void =>
        reject(new Error(`TestProbe: the probe ${this.pid} exited while waiting`));
      signal.addEventListener('abort', onExit, { once: true });
      this.#ctx.receive(match, { timeout: within }).then(
        (message) => {
          signal.removeEventListener('abort', onExit);
          resolve(message);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onExit);
          if (isWardenError(error, 'ERR_RECEIVE_TIMEOUT')) resolve(NOTHING);
          else reject(error);
        },
      );
    });
  }

  #take(match: (m: unknown) => boolean): unknown {
    if (!this.#peek().some(match)) return NOTHING;
    let taken: unknown = NOTHING;
    // The first match is removed and kept; the rest stay queued in order.
    this.#ctx.flush((m) => {
      if (taken !== NOTHING || !match(m)) return false;
      taken = m;
      return true;
    });
    return taken;
  }

  #assertAlive(): void {
    if (!this.alive) throw new Error(`TestProbe: the probe ${this.pid} has exited`);
  }

  #describe(): string {
    const messages = this.#peek();
    if (messages.length === 0) return 'nothing';
    return messages.map(describeMessage).join(', ');
  }
}

function describeMessage(m: unknown): string {
  return m instanceof DownMessage
    ? `DOWN(${m.pid}, ${JSON.stringify(m.reason)})`
    : m instanceof ExitMessage
      ? `EXIT(${m.from}, ${JSON.stringify(m.reason)})`
      : safeJson(m);
}

const NOTHING = Symbol('nothing');

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
