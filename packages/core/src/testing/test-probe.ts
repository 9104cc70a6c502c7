import type { Address } from '../context.js';
import type { ExitReason } from '../exit-reason.js';
import { sameReason } from '../exit-reason.js';
import { coreOf } from '../internal/core-of.js';
import type { Process } from '../internal/process.js';
import { DownMessage, ExitMessage } from '../messages.js';
import type { Node } from '../node.js';
import { type Pid, samePid } from '../pid.js';
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
  readonly #proc: Process;
  readonly #received: unknown[] = [];

  constructor(node: Node, options: ProbeOptions = {}) {
    this.node = node;
    this.pid = node.spawn(
      async (ctx) => {
        for (;;) this.#received.push(await ctx.receive());
      },
      { trapExit: options.trapExit ?? true, mailbox: { capacity: Number.POSITIVE_INFINITY } },
    );
    this.#proc = coreOf(node).local(this.pid) as Process;
  }

  /** Messages received and not yet taken by an expectation, oldest first. */
  get messages(): readonly unknown[] {
    return this.#received;
  }

  link(pid: Pid): void {
    this.#proc.link(pid);
  }

  unlink(pid: Pid): void {
    this.#proc.unlink(pid);
  }

  monitor(pid: Pid): Ref {
    return this.#proc.monitor(pid);
  }

  demonitor(ref: Ref, options?: { flush?: boolean }): boolean {
    const active = this.#proc.demonitor(ref, options);
    if (options?.flush === true) this.#take((m) => m instanceof DownMessage && m.ref === ref);
    return active;
  }

  /** Sends as the probe, so replies and answers come back to it. */
  send(to: Address, message: unknown): void {
    this.#proc.send(to, message);
  }

  exit(pid: Pid, reason: ExitReason): void {
    this.#proc.exit(pid, reason);
  }

  /** Waits for the oldest message that matches and removes it. */
  async expectMessage<T = unknown>(
    match: ((m: unknown) => m is T) | ((m: unknown) => boolean) = () => true,
    options: ExpectOptions = {},
  ): Promise<T> {
    const found = await this.#await(match, options.within ?? DEFAULT_WITHIN);
    if (found.length === 0) {
      throw new Error(
        `TestProbe: no matching message within ${options.within ?? DEFAULT_WITHIN} ms; received: ${this.#describeValue()}`,
      );
    }
    return found[0] as T;
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
    await this.#pass(within, () => this.#received.some(match));
    const hit = this.#received.find(match);
    if (hit !== undefined || this.#received.some(match)) {
      throw new Error(
        `TestProbe: expected no message within ${within} ms, got ${this.#describeValue()}`,
      );
    }
  }

  /** Drops everything received so far. */
  clear(): void {
    this.#received.length = 0;
  }

  async #await(match: (m: unknown) => boolean, within: number): Promise<unknown[]> {
    await this.#pass(within, () => this.#received.some(match));
    const taken = this.#take(match);
    return taken === NOTHING ? [] : [taken];
  }

  /** Lets up to `within` ms pass (virtually or really), stopping early once `done()` holds. */
  async #pass(within: number, done: () => boolean): Promise<void> {
    const clock = this.node.clock;
    if (clock instanceof TestClock) {
      await clock.settle();
      let elapsed = 0;
      while (!done() && elapsed < within) {
        const next = clock.nextTimerIn();
        const step =
          next === undefined ? within - elapsed : Math.min(Math.max(next, 0), within - elapsed);
        await clock.advance(step);
        elapsed += step;
        if (step === 0 && next === 0) continue;
      }
      return;
    }
    const deadline = clock.now() + within;
    while (!done() && clock.now() < deadline) {
      await new Promise<void>((resolve) =>
        setTimeout(resolve, Math.min(5, Math.max(0, deadline - clock.now()))),
      );
    }
  }

  #take(match: (m: unknown) => boolean): unknown {
    const i = this.#received.findIndex(match);
    if (i < 0) return NOTHING;
    return this.#received.splice(i, 1)[0];
  }

  #describeValue(): string {
    if (this.#received.length === 0) return 'nothing';
    return this.#received
      .map((m) =>
        m instanceof DownMessage
          ? `DOWN(${m.pid}, ${JSON.stringify(m.reason)})`
          : m instanceof ExitMessage
            ? `EXIT(${m.from}, ${JSON.stringify(m.reason)})`
            : safeJson(m),
      )
      .join(', ');
  }
}

const NOTHING = Symbol('nothing');

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
