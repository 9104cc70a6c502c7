import type { Node, TimerHandle } from '@warden/core';
import { checkInt, checkName, invalidOption } from '../model/policy/option-checks.js';
import type { CheckOutcome, CheckResult, CheckRun, CheckStatus } from './check-result.js';
import { checkHealthAction, type HealthAction, performHealthAction } from './health-action.js';
import type { HealthCheck } from './health-check.js';

export const HEALTH_DEFAULTS = Object.freeze({ historySize: 20 });

export interface HealthOptions {
  readonly checks: readonly HealthCheck[];
  /** What a failing check does beyond reporting, by check name: L3 and L4 checks only. */
  readonly actions?: Readonly<Record<string, readonly HealthAction[]>>;
  /** Runs kept per check. */
  readonly historySize?: number;
}

/** The node's health as `/health` serves it. */
export interface HealthReport {
  /** `pass` when live and ready and no check fails; `fail` when not live; else `degraded`. */
  readonly status: 'pass' | 'degraded' | 'fail';
  readonly live: boolean;
  readonly ready: boolean;
  readonly time: number;
  /** Every check, grouped by the agent type it is about (`node` for the rest). */
  readonly agents: Readonly<Record<string, readonly CheckResult[]>>;
}

/** The event published on the node's stream when a check's status changes. */
export interface HealthChanged {
  readonly type: 'health.changed';
  readonly check: string;
  readonly level: CheckResult['level'];
  readonly agent: string | undefined;
  readonly from: CheckStatus;
  readonly to: CheckStatus;
  readonly detail: Readonly<Record<string, unknown>>;
}

interface Entry {
  readonly check: HealthCheck;
  readonly actions: readonly HealthAction[];
  status: CheckStatus;
  detail: Readonly<Record<string, unknown>>;
  lastRunAt: number | undefined;
  readonly history: CheckRun[];
  current: Promise<void> | undefined;
  again: boolean;
  timer: TimerHandle | undefined;
  detach: (() => void) | undefined;
}

/**
 * Runs health checks on the node's clock, keeps each one's result as data (bounded history),
 * publishes `health.changed` on every change and performs the actions of a failing L3 or L4
 * check. Every check runs once at the start, then `everyMs` after its previous run ended (a slow
 * check never overlaps itself). It stops with the node.
 */
export class Health {
  readonly #node: Node;
  readonly #entries = new Map<string, Entry>();
  readonly #historySize: number;
  #stopped = false;

  constructor(node: Node, options: HealthOptions) {
    this.#node = node;
    if (!Array.isArray(options?.checks)) throw invalidOption('checks', options?.checks, 'an array');
    this.#historySize = checkInt(
      'historySize',
      options.historySize ?? HEALTH_DEFAULTS.historySize,
      1,
    );
    for (const [i, check] of options.checks.entries()) {
      const name = checkName(`checks[${i}].name`, check?.name);
      if (typeof check.run !== 'function') {
        throw invalidOption(`checks[${i}].run`, check.run, 'a function');
      }
      if (!['L1', 'L2', 'L3', 'L4'].includes(check.level)) {
        throw invalidOption(`checks[${i}].level`, check.level, "'L1', 'L2', 'L3' or 'L4'");
      }
      checkInt(`checks[${i}].everyMs`, check.everyMs, 1);
      if (this.#entries.has(name)) throw invalidOption(`checks[${i}].name`, name, 'a unique name');
      this.#entries.set(name, newEntry(check, []));
    }
    for (const [name, list] of Object.entries(options.actions ?? {})) {
      const entry = this.#entries.get(name);
      if (entry === undefined) throw invalidOption(`actions.${name}`, name, 'the name of a check');
      if (entry.check.level !== 'L3' && entry.check.level !== 'L4') {
        throw invalidOption(`actions.${name}`, entry.check.level, 'an L3 or L4 check');
      }
      const actions = (list ?? []).map((a, i) => checkHealthAction(`actions.${name}[${i}]`, a));
      this.#entries.set(name, newEntry(entry.check, actions));
    }
    if (node.signal.aborted) {
      this.#stopped = true;
      return;
    }
    node.signal.addEventListener('abort', () => this.stop(), { once: true });
    for (const entry of this.#entries.values()) {
      entry.detach = entry.check.attach?.(() => void this.#run(entry));
      void this.#run(entry);
    }
  }

  /** Every check's result, in the order the checks were given. */
  results(): CheckResult[] {
    return [...this.#entries.values()].map((e) => this.#result(e));
  }

  result(name: string): CheckResult | undefined {
    const entry = this.#entries.get(name);
    return entry === undefined ? undefined : this.#result(entry);
  }

  /** No L1 check fails (a check not yet run does not make the node dead). */
  live(): boolean {
    return this.#every('L1', (s) => s !== 'fail');
  }

  /** Live, and every L2 check has run and passes. */
  ready(): boolean {
    return this.live() && this.#every('L2', (s) => s === 'pass');
  }

  report(): HealthReport {
    const agents: Record<string, CheckResult[]> = {};
    for (const result of this.results()) (agents[result.agent ?? 'node'] ??= []).push(result);
    const live = this.live();
    const ready = this.ready();
    const failing = this.results().some((r) => r.status === 'fail');
    return {
      status: !live ? 'fail' : ready && !failing ? 'pass' : 'degraded',
      live,
      ready,
      time: this.#node.clock.now(),
      agents,
    };
  }

  /** Runs one check (or all) now; resolves when its result is recorded. */
  async runNow(name?: string): Promise<void> {
    const entries =
      name === undefined ? [...this.#entries.values()] : [this.#entries.get(name)].filter(Boolean);
    if (entries.length === 0) throw invalidOption('name', name, 'the name of a check');
    await Promise.all(entries.map((e) => this.#run(e as Entry)));
  }

  /** Cancels every schedule. Results stay readable. */
  stop(): void {
    this.#stopped = true;
    for (const entry of this.#entries.values()) {
      if (entry.timer !== undefined) this.#node.clock.clearTimer(entry.timer);
      entry.timer = undefined;
      entry.detach?.();
      entry.detach = undefined;
    }
  }

  #every(level: CheckResult['level'], ok: (s: CheckStatus) => boolean): boolean {
    for (const e of this.#entries.values())
      if (e.check.level === level && !ok(e.status)) return false;
    return true;
  }

  /** Runs the check; while a run is under way, asks for one more after it and joins it. */
  #run(entry: Entry): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (entry.current !== undefined) {
      entry.again = true;
      return entry.current;
    }
    entry.current = this.#loop(entry).finally(() => {
      entry.current = undefined;
    });
    return entry.current;
  }

  async #loop(entry: Entry): Promise<void> {
    const clock = this.#node.clock;
    do {
      entry.again = false;
      if (entry.timer !== undefined) clock.clearTimer(entry.timer);
      entry.timer = undefined;
      const start = clock.now();
      let outcome: CheckOutcome;
      try {
        outcome = await entry.check.run({ node: this.#node, signal: this.#node.signal });
      } catch (error) {
        outcome = {
          status: 'fail',
          detail: {
            reason: 'check threw',
            message: error instanceof Error ? error.message : String(error),
          },
        };
      }
      if (this.#stopped) return;
      this.#record(entry, outcome, start);
    } while (entry.again);
    entry.timer = clock.setTimer(entry.check.everyMs, () => {
      entry.timer = undefined;
      void this.#run(entry);
    });
  }

  #record(entry: Entry, outcome: CheckOutcome, start: number): void {
    const at = this.#node.clock.now();
    const from = entry.status;
    entry.status = outcome.status;
    entry.detail = outcome.detail;
    entry.lastRunAt = at;
    entry.history.push({
      status: outcome.status,
      detail: outcome.detail,
      at,
      durationMs: at - start,
    });
    if (entry.history.length > this.#historySize) entry.history.shift();
    if (from === outcome.status) return;
    const { check } = entry;
    if (this.#node.observed) {
      const event: HealthChanged = {
        type: 'health.changed',
        check: check.name,
        level: check.level,
        agent: check.agent,
        from,
        to: outcome.status,
        detail: outcome.detail,
      };
      this.#node.publish(event);
    }
    const failed = outcome.status === 'fail';
    if (!failed && !(from === 'fail' && outcome.status === 'pass')) return;
    const result = this.#result(entry);
    for (const action of entry.actions) {
      try {
        performHealthAction(action, result, failed);
      } catch (error) {
        // A broken action must not stop the others nor the checks: it is reported, not thrown.
        if (this.#node.observed) {
          const event = {
            type: 'health.action_failed',
            check: check.name,
            action: action.kind,
            message: error instanceof Error ? error.message : String(error),
          };
          this.#node.publish(event);
        }
      }
    }
  }

  #result(e: Entry): CheckResult {
    return {
      name: e.check.name,
      level: e.check.level,
      agent: e.check.agent,
      status: e.status,
      detail: e.detail,
      lastRunAt: e.lastRunAt,
      history: [...e.history],
    };
  }
}

function newEntry(check: HealthCheck, actions: readonly HealthAction[]): Entry {
  return {
    check,
    actions,
    status: 'unknown',
    detail: {},
    lastRunAt: undefined,
    history: [],
    current: undefined,
    again: false,
    timer: undefined,
    detach: undefined,
  };
}

/** Starts running `checks` on the node. */
export function startHealth(node: Node, options: HealthOptions): Health {
  return new Health(node, options);
}
