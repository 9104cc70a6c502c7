// Child processes running ws-node-process.ts, for the multi-process tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pid } from '@warden/core';
import { EventLog } from './event-log.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ENTRY = join(HERE, 'ws-node-process.ts');
const TESTS_DIR = join(HERE, '..', '..');

/** What a child node reports of its own events: its peers coming and going, children started. */
export type ChildEvent =
  | {
      readonly type: 'event';
      readonly event: 'node.up' | 'node.down';
      readonly node: string;
      readonly downsSeen: number;
    }
  | {
      readonly type: 'event';
      readonly event: 'supervisor.child_started';
      readonly node: string;
      readonly id: string;
      readonly pid: { node: string; incarnation: string; id: number };
    };

/** A node in a child process: its address, IPC commands, and the node events it reported. */
export class ChildNode {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly events = new EventLog<ChildEvent>();
  address = '';
  incarnation = '';
  #next = 0;
  readonly #pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  readonly exited: Promise<void>;
  /** Resolves when the child listens (its address is known); rejects if it exits first. */
  readonly listening: Promise<void>;

  constructor(name: string, env: Record<string, string>) {
    this.name = name;
    this.proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', ENTRY], {
      cwd: TESTS_DIR,
      env: { ...process.env, ...env, WARDEN_NODE_NAME: name },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', () => resolve()));
    let listened: () => void = () => undefined;
    this.listening = new Promise<void>((resolve, reject) => {
      listened = resolve;
      void this.exited.then(() => reject(new Error(`${name} exited before listening`)));
    });
    this.proc.on('message', (raw) => {
      const m = raw as {
        type?: string;
        id?: number;
        ok?: boolean;
        value?: unknown;
        error?: string;
      };
      if (m.type === 'event') this.events.push(m as unknown as ChildEvent);
      else if (m.type === 'listening') {
        this.address = (m as { address: string }).address;
        this.incarnation = (m as { incarnation: string }).incarnation;
        listened();
      } else if (m.id !== undefined) {
        const waiter = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.ok) waiter?.resolve(m.value);
        else waiter?.reject(new Error(`${this.name}: ${m.error}`));
      }
    });
  }

  /** Sends an IPC command; rejects after `ms` of real time. */
  command<T = unknown>(cmd: Record<string, unknown>, ms = 10_000): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.name}: no answer to ${String(cmd.cmd)} within ${ms} ms`));
      }, ms);
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.proc.send({ id, ...cmd });
    });
  }

  async pid(cmd: Record<string, unknown>): Promise<Pid> {
    return Pid.from(await this.command<{ node: string; incarnation: string; id: number }>(cmd));
  }

  /** Ends the process for good (SIGCONT first, in case it is stopped). */
  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGCONT');
      this.proc.kill('SIGKILL');
    }
    await this.exited;
  }
}

/** Rejects after `ms` of real time unless `promise` settles first: a guard, not a measurement. */
export function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** Starts children in parallel and waits (bounded) until each listens. */
export async function startChildren(
  names: string[],
  env: Record<string, string>,
): Promise<ChildNode[]> {
  const children = names.map((n) => new ChildNode(n, env));
  await bounded(Promise.all(children.map((c) => c.listening)), 20_000, 'children listening');
  return children;
}
