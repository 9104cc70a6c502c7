/**
 * The world of the unknown-outcomes property: one agent thread whose tool calls pass the gate,
 * run by processes ("incarnations") that crash at random points and are resumed. Everything
 * durable (journal, audit log, approvals) outlives them; a process that died writes nothing more,
 * as a killed process or a fenced-out node cannot. The journal log it keeps (every transition
 * that landed, and every execution, in order) is what the property's oracle reads.
 */

import {
  ApprovalDesk,
  type AuditLog,
  CapabilitySet,
  canonicalHash,
  defineTool,
  type EffectEntry,
  type EffectJournal,
  Gate,
  type Governance,
  MemoryAuditLog,
  MemoryEffectJournal,
  Policy,
} from '@warden/agents';
import { TestClock } from '@warden/core/testing';
import { z } from 'zod';

export const TIMEOUT_MS = 50;
export const TARGETS = ['dev', 'prod'] as const;

/** A planned tool call: the step loop's idempotency key, the tool, its arguments. */
export interface Planned {
  readonly key: string;
  readonly tool: 'drop_database' | 'put_config';
  readonly input: { readonly name: string };
  /** Every run of it hangs until `finish` or the process dies. */
  readonly hang: boolean;
}

export type LogEntry =
  | {
      readonly kind: 'transition';
      readonly key: string;
      readonly state: EffectEntry['state'];
      readonly reason: string | undefined;
      readonly by: string | undefined;
    }
  | { readonly kind: 'exec'; readonly key: string; readonly nonce: string | undefined };

/** What one process saw a call end with, while it was alive. */
export interface Outcome {
  readonly key: string;
  readonly value?: unknown;
  readonly error?: unknown;
}

class Crashed extends Error {
  constructor() {
    super('the process died here');
  }
}

/** Fault injection: the store operation `armed` operations from now kills the process doing it. */
export interface Fault {
  armed: number | undefined;
  /** Faults injected so far. */
  fired: number;
}

/** A process running the thread: its own gate over the shared stores, its own abort signal. */
export class Incarnation {
  alive = true;
  readonly controller = new AbortController();
  gate!: Gate;

  constructor(readonly fault: Fault) {}

  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    this.controller.abort();
  }

  /** Before every store operation: a dead process writes nothing; an armed fault kills it here. */
  tick(): void {
    if (!this.alive) throw new Crashed();
    const fault = this.fault;
    if (fault.armed !== undefined && fault.armed-- <= 0) {
      fault.armed = undefined;
      fault.fired++;
      this.kill();
      throw new Crashed();
    }
  }
}

/** The journal every process writes through, logging what landed, in order. */
class LoggedJournal extends MemoryEffectJournal {
  constructor(readonly log: LogEntry[]) {
    super();
  }

  override async begin(entry: Parameters<EffectJournal['begin']>[0]): Promise<EffectEntry> {
    const written = await super.begin(entry);
    this.log.push({
      kind: 'transition',
      key: entry.key,
      state: 'intent',
      reason: undefined,
      by: undefined,
    });
    return written;
  }

  override async advance(
    key: string,
    expected: number,
    change: Parameters<EffectJournal['advance']>[2],
  ): Promise<EffectEntry> {
    const next = await super.advance(key, expected, change);
    this.log.push({
      kind: 'transition',
      key,
      state: next.state,
      reason: next.reason,
      by: change.decidedBy,
    });
    return next;
  }
}

/** `call` after the process's check: a dead process's operation never reaches the store. */
function guarded<A extends unknown[], R>(inc: Incarnation, call: (...args: A) => R) {
  return (...args: A): R => {
    inc.tick();
    return call(...args);
  };
}

function journalOf(base: EffectJournal, inc: Incarnation): EffectJournal {
  return {
    begin: guarded(inc, (entry: Parameters<EffectJournal['begin']>[0]) => base.begin(entry)),
    get: guarded(inc, (key: string) => base.get(key)),
    advance: guarded(
      inc,
      (key: string, version: number, change: Parameters<EffectJournal['advance']>[2]) =>
        base.advance(key, version, change),
    ),
    list: guarded(inc, (thread: string) => base.list(thread)),
  };
}

function auditOf(base: AuditLog, inc: Incarnation): AuditLog {
  return {
    append: guarded(inc, (record: Parameters<AuditLog['append']>[0], at: number) =>
      base.append(record, at),
    ),
    entries: () => base.entries(),
  };
}

export class World {
  readonly fault: Fault = { armed: undefined, fired: 0 };
  readonly clock = new TestClock();
  readonly log: LogEntry[] = [];
  readonly journal = new LoggedJournal(this.log);
  readonly audit = new MemoryAuditLog();
  readonly desk = new ApprovalDesk({ clock: this.clock, timeoutMs: TIMEOUT_MS, ttlMs: 1_000 });
  readonly policy = new Policy({
    rules: [
      // On prod, a call whose outcome is unknown is never run again: the policy says fail.
      {
        id: 'prod',
        tools: ['drop_database'],
        scopes: ['db:prod'],
        decision: 'ask',
        onUnknownOutcome: 'fail',
      },
      { id: 'ask', tools: ['drop_database'], decision: 'ask' },
    ],
  });
  readonly planned: Planned[] = [];
  readonly live: Incarnation[] = [];
  readonly outcomes: Outcome[] = [];
  /** Runs that hang, each finished by `finish` (or abandoned when its process dies). */
  readonly hanging: { readonly inc: Incarnation; readonly finish: () => void }[] = [];
  readonly tools = {
    drop_database: defineTool({
      name: 'drop_database',
      description: 'drops a database',
      effect: 'irreversible',
      input: z.object({ name: z.string() }),
      scope: ({ name }) => `db:${name}`,
      run: () => 'dropped',
    }),
    put_config: defineTool({
      name: 'put_config',
      description: 'writes a config value, keyed',
      effect: 'write',
      idempotent: true,
      input: z.object({ name: z.string() }),
      run: () => 'put',
    }),
  };

  /** A new process resuming the thread: it runs every planned call again, in order, one at a time. */
  spawn(): Incarnation {
    const inc = new Incarnation(this.fault);
    const governance: Governance = {
      capabilities: CapabilitySet.all(),
      policy: this.policy,
      journal: journalOf(this.journal, inc),
      audit: auditOf(this.audit, inc),
      desk: this.desk,
      onTimeout: 'deny',
    };
    inc.gate = new Gate(governance);
    this.live.push(inc);
    void this.#drive(inc);
    return inc;
  }

  crashAll(): void {
    for (const inc of this.live.splice(0)) inc.kill();
  }

  plan(tool: Planned['tool'], target: number, hang: boolean): Planned {
    const planned = {
      key: `k${this.planned.length}`,
      tool,
      input: { name: TARGETS[target % TARGETS.length] as string },
      hang,
    };
    this.planned.push(planned);
    return planned;
  }

  argsHashOf(planned: Planned): string {
    return canonicalHash(planned.input);
  }

  /** The planned calls, in order, as a step loop would: the next once the last one ended. */
  async #drive(inc: Incarnation): Promise<void> {
    for (let i = 0; inc.alive; i++) {
      while (i >= this.planned.length) {
        if (!inc.alive) return;
        await new Promise<void>((resolve) => this.#wake.push(resolve));
      }
      await this.#run(inc, this.planned[i] as Planned);
    }
  }

  readonly #wake: (() => void)[] = [];

  /** Lets waiting processes pick up newly planned calls. */
  wake(): void {
    for (const resolve of this.#wake.splice(0)) resolve();
  }

  async #run(inc: Incarnation, planned: Planned): Promise<void> {
    const signal = inc.controller.signal;
    const execute = async () => {
      // The approval its entry holds as it runs: read by the oracle, not through the process.
      const nonce = (await this.journal.get(planned.key))?.approval;
      this.log.push({ kind: 'exec', key: planned.key, nonce });
      if (!planned.hang) return 'ok';
      return new Promise<unknown>((resolve, reject) => {
        this.hanging.push({ inc, finish: () => resolve('ok') });
        signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      });
    };
    const report = (outcome: Outcome) => {
      if (inc.alive) this.outcomes.push(outcome);
    };
    await inc.gate
      .run(
        {
          agent: 'ops',
          threadId: 't',
          tool: this.tools[planned.tool],
          input: planned.input,
          key: planned.key,
          signal,
          now: () => this.clock.now(),
        },
        execute,
      )
      .then(
        (value) => report({ key: planned.key, value }),
        (error: unknown) => report({ key: planned.key, error }),
      );
  }
}
