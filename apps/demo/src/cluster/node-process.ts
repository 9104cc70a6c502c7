import { type ChildProcess, spawn } from 'node:child_process';
import type { Clock } from '@warden/core';
import type { ClusterEvent, NodeCommand, NodeMessage, PidData } from './node-messages.js';

type CommandBody = NodeCommand extends infer C
  ? C extends NodeCommand
    ? Omit<C, 'id'>
    : never
  : never;

/**
 * One node of the cluster, as the driver sees it: a child process with an IPC channel, its
 * address and services once it listens, and commands answered over IPC, each with a deadline.
 * `kill` ends it for good; nothing here waits without a bound.
 */
export class NodeProcess {
  readonly name: string;
  readonly proc: ChildProcess;
  address = '';
  spawner: PidData | undefined;
  world: PidData | undefined;
  dashboard: string | undefined;
  /** Why it could not start, as it said before exiting (or why it could not be spawned). */
  failure: string | undefined;
  readonly exited: Promise<void>;
  /** Resolves when it listens; rejects if it exits first. */
  readonly listening: Promise<void>;
  #next = 0;
  readonly #pending = new Map<number, (message: NodeMessage) => void>();

  constructor(
    name: string,
    command: { readonly execArgv: readonly string[]; readonly entry: string },
    env: NodeJS.ProcessEnv,
    private readonly clock: Clock,
    onEvent: (event: ClusterEvent) => void,
  ) {
    this.name = name;
    // Its output goes where the demo's goes (a node says nothing unless something is wrong), so
    // whoever reads the demo's output sees it end only once every node has ended too.
    this.proc = spawn(process.execPath, [...command.execArgv, command.entry], {
      env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.exited = new Promise((resolve) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) resolve();
      else this.proc.once('exit', () => resolve());
    });
    let listened: () => void = () => undefined;
    this.listening = new Promise<void>((resolve, reject) => {
      listened = resolve;
      void this.exited.then(() =>
        reject(
          new Error(
            this.failure === undefined
              ? `${name} exited before it listened`
              : `${name} could not start: ${this.failure}`,
          ),
        ),
      );
    });
    // A spawn that fails (no such executable) reports here instead of throwing.
    this.proc.on('error', (error) => {
      this.failure ??= `spawn failed: ${error.message}`;
    });
    this.proc.on('message', (raw) => {
      const message = raw as NodeMessage;
      if (message.type === 'event') onEvent(message.event);
      else if (message.type === 'failed') this.failure = message.error;
      else if (message.type === 'listening') {
        this.address = message.address;
        this.spawner = message.spawner;
        this.world = message.world;
        this.dashboard = message.dashboard;
        listened();
      } else if (message.type === 'answer') {
        const waiter = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        waiter?.(message);
      }
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Sends a command; rejects if no answer comes within `ms`, or the process ends first. */
  command<T = unknown>(body: CommandBody, ms: number): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const timer = this.clock.setTimer(ms, () => {
        this.#pending.delete(id);
        reject(new Error(`${this.name}: no answer to ${body.cmd} within ${ms} ms`));
      });
      void this.exited.then(() => {
        if (!this.#pending.delete(id)) return;
        this.clock.clearTimer(timer);
        reject(new Error(`${this.name} exited while it had ${body.cmd} to answer`));
      });
      this.#pending.set(id, (message) => {
        this.clock.clearTimer(timer);
        if (message.type === 'answer' && message.ok) resolve(message.value as T);
        else
          reject(
            new Error(
              `${this.name}: ${message.type === 'answer' && !message.ok ? message.error : 'bad answer'}`,
            ),
          );
      });
      // A process that has lost its channel cannot answer: its deadline or its exit rejects.
      if (this.proc.connected) this.proc.send({ id, ...body });
    });
  }

  /**
   * Sends `signal` if it still runs (none: only waits), then waits until it has exited or `ms`
   * have passed; resolves whether it has exited.
   */
  async kill(signal: NodeJS.Signals | undefined, ms: number): Promise<boolean> {
    if (signal !== undefined && this.alive) this.proc.kill(signal);
    let timer: ReturnType<Clock['setTimer']> | undefined;
    const late = new Promise<false>((resolve) => {
      timer = this.clock.setTimer(ms, () => resolve(false));
    });
    const done = await Promise.race([this.exited.then(() => true as const), late]);
    if (timer !== undefined) this.clock.clearTimer(timer);
    return done;
  }
}
