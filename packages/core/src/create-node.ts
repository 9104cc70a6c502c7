import type { Ignore } from './actor-result.js';
import type { Behaviour } from './behaviour.js';
import { type Clock, systemClock } from './clock.js';
import type { Address, CallOptions, SpawnOptions, StartOptions, StopOptions } from './context.js';
import type { DeadLetters } from './dead-letters.js';
import { invalidArgument } from './errors.js';
import { type InspectOptions, isNodeEventType, type Observer } from './events.js';
import { type ExitReason, isExitReason } from './exit-reason.js';
import { bindCoreReader } from './internal/core-of.js';
import { NodeCore } from './internal/node-core.js';
import { stopProcess } from './internal/stop-process.js';
import { validateMailboxOptions } from './mailbox.js';
import type { Node, NodeOptions, ProcessInfo } from './node.js';
import { isPid, type Pid } from './pid.js';
import type { Ref } from './ref.js';
import type { ContextPropagation } from './trace-context.js';

const NODE_NAME = /^[A-Za-z0-9_.@-]{1,255}$/;

/**
 * Starts a node.
 *
 * @example
 * const node = createNode({ name: 'a', clock: new TestClock() });
 * const pid = node.spawn(async (ctx) => { const m = await ctx.receive(); ... });
 */
export function createNode(options: NodeOptions): Node {
  if (typeof options?.name !== 'string' || !NODE_NAME.test(options.name)) {
    throw invalidArgument('name', options?.name, 'a node name of letters, digits, _ . @ -');
  }
  for (const field of ['budget', 'slice', 'deadLetterHistory'] as const) {
    const v = options[field];
    const min = field === 'deadLetterHistory' ? 0 : 1;
    if (v !== undefined && (!Number.isInteger(v) || v < min)) {
      throw invalidArgument(field, v, `an integer >= ${min}`);
    }
  }
  const clock = options.clock ?? systemClock;
  const core = new NodeCore({
    name: options.name,
    clock,
    transport: options.transport,
    mailbox: validateMailboxOptions(options.mailbox),
    budget: options.budget,
    slice: options.slice,
    deadLetterHistory: options.deadLetterHistory,
    onError: options.onError ?? ((error) => console.error('warden:', error)),
  });
  const node = new NodeHandle(core);
  core.api = node;
  const untrack = (clock as { track?: (p: { isIdle(): boolean }) => () => void }).track?.(node);
  node.untrack = untrack;
  options.transport?.attach(core);
  return node;
}

class NodeHandle implements Node {
  readonly #core: NodeCore;
  untrack: (() => void) | undefined = undefined;

  static {
    bindCoreReader((node) => (#core in node ? (node as NodeHandle).#core : undefined));
  }

  constructor(core: NodeCore) {
    this.#core = core;
  }

  get name(): string {
    return this.#core.name;
  }

  get incarnation(): string {
    return this.#core.incarnation;
  }

  get clock(): Clock {
    return this.#core.clock;
  }

  get deadLetters(): DeadLetters {
    return this.#core.deadLetters;
  }

  get stopped(): boolean {
    return this.#core.stopped;
  }

  get signal(): AbortSignal {
    return this.#core.lifetime;
  }

  spawn<A>(behaviour: Behaviour<A>, options?: SpawnOptions<A>): Pid {
    return this.#core.spawn(behaviour, options, undefined, false);
  }

  start<A>(behaviour: Behaviour<A>, options?: StartOptions<A>): Promise<Pid | Ignore> {
    return this.#core.start(undefined, behaviour, options, false);
  }

  send(to: Address, message: unknown): void {
    this.#core.router.send(undefined, to, message, false);
  }

  cast(to: Address, message: unknown): void {
    this.#core.router.send(undefined, to, message, true);
  }

  call<R = unknown>(to: Address, request: unknown, options?: CallOptions): Promise<R> {
    return this.#core.calls.call<R>(this.#core.system, to, request, options);
  }

  stopProcess(
    target: Address,
    reason: ExitReason = 'normal',
    options?: StopOptions,
  ): Promise<void> {
    return stopProcess(this.#core, target, reason, options);
  }

  exit(pid: Pid, reason: ExitReason): void {
    if (!isPid(pid)) throw invalidArgument('pid', pid, 'a pid');
    if (!isExitReason(reason)) throw invalidArgument('reason', reason, 'an exit reason');
    if (!this.#core.stopped) this.#core.signals.exitSignal(this.#core.system.pid, pid, reason);
  }

  register(name: string, pid: Pid): void {
    const proc = this.#core.local(pid);
    if (proc === undefined || proc === this.#core.system) {
      throw invalidArgument('pid', String(pid), 'a live local process');
    }
    this.#core.registry.register(name, proc);
  }

  unregister(name: string): boolean {
    return this.#core.registry.unregister(name);
  }

  whereis(name: string): Pid | undefined {
    return this.#core.registry.lookup(name)?.pid;
  }

  registered(): string[] {
    return this.#core.registry.names();
  }

  sendAfter(to: Address, message: unknown, delayMs: number): Ref {
    return this.#core.timers.sendAfter(undefined, to, message, delayMs);
  }

  cancelTimer(ref: Ref): boolean {
    return this.#core.timers.cancel(ref);
  }

  isAlive(pid: Pid): boolean {
    return this.#core.local(pid) !== undefined;
  }

  processes(): Pid[] {
    const out: Pid[] = [];
    for (const p of this.#core.table.values()) if (p !== this.#core.system) out.push(p.pid);
    return out;
  }

  processInfo(pid: Pid): ProcessInfo | undefined {
    const p = this.#core.local(pid);
    if (p === undefined) return undefined;
    return {
      pid: p.pid,
      name: p.name,
      parent: p.parent,
      trapExit: p.trapping,
      links: [...(p.links?.values() ?? [])],
      monitors: [...(p.monitorsOut?.values() ?? [])],
      monitoredBy: [...(p.monitorsIn?.values() ?? [])],
      mailboxSize: p.mailbox.size,
    };
  }

  inspect(observer: Observer, options?: InspectOptions): () => void {
    if (typeof observer !== 'function') throw invalidArgument('observer', observer, 'a function');
    const types = options?.types;
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw invalidArgument('options', options, 'an object');
    }
    if (types !== undefined && (!Array.isArray(types) || !types.every(isNodeEventType))) {
      throw invalidArgument('options.types', types, 'an array of node event types');
    }
    return this.#core.events.subscribe(observer, types);
  }

  get observed(): boolean {
    return this.#core.events.wants('published');
  }

  publish(event: { readonly type: string }): void {
    if (typeof event?.type !== 'string')
      throw invalidArgument('event.type', event?.type, 'a string');
    if (this.#core.events.wants('published')) {
      this.#core.emit({ type: 'published', time: this.#core.clock.now(), event });
    }
  }

  setContextPropagation(propagation: ContextPropagation | undefined): void {
    if (
      propagation !== undefined &&
      (typeof propagation?.current !== 'function' || typeof propagation?.run !== 'function')
    ) {
      throw invalidArgument(
        'propagation',
        propagation,
        '{ current(), run(context, fn) } or undefined',
      );
    }
    this.#core.setPropagation(propagation);
  }

  get contextPropagation(): ContextPropagation | undefined {
    return this.#core.propagation;
  }

  nodes(): string[] {
    return this.#core.transport?.nodes() ?? [];
  }

  isIdle(): boolean {
    return this.#core.scheduler.isIdle();
  }

  async stop(): Promise<void> {
    this.#core.stop();
    this.untrack?.();
  }
}
