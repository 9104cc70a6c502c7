import { type AuditKind, MemoryAuditLog } from './audit-log.js';
import { type EffectEntry, type EffectState, MemoryEffectJournal } from './effect-journal.js';
import {
  denial,
  failureOf,
  type GateCall,
  type GateHooks,
  reasonOf,
  type Scopes,
  scopesOf,
} from './gate-call.js';
import { hashOf, UNHASHABLE, type Verdict, verdictOf } from './gate-verdict.js';
import type { Governance } from './governance.js';
import { lastInterrupted, safeToRepeat } from './unknown-outcome.js';

/**
 * The gate's awaited path from a call's `intent` on, for a call a person must decide (`ask`) or
 * that an identical call interrupted before holds: it decides, then runs the call if allowed.
 */
export type Held = (
  call: GateCall,
  entry: EffectEntry,
  scopes: Scopes,
  verdict: Verdict,
  interrupted: EffectEntry | undefined,
  execute: () => Promise<unknown>,
  hooks: GateHooks | undefined,
) => Promise<unknown>;

/** The gate's awaited path for a whole call: what a call met again goes through. */
export type Awaited = (
  call: GateCall,
  execute: () => Promise<unknown>,
  hooks: GateHooks | undefined,
) => Promise<unknown>;

/**
 * The gate's writes when its journal is a `MemoryEffectJournal` and its log a `MemoryAuditLog`,
 * exactly those classes: written through their synchronous methods, so that a call does not wait
 * a microtask for each of the six writes of a read that nothing makes wait. The entries, their
 * order and their compare-and-set are those of the awaited path. A subclass, a wrapper or a
 * durable store is written through the `EffectJournal` and `AuditLog` interfaces, awaited, since
 * it may override what a write does (a test's fault injection, a store's transaction).
 */
export class NowLedger {
  private constructor(
    readonly governance: Governance,
    readonly journal: MemoryEffectJournal,
    readonly log: MemoryAuditLog,
  ) {}

  /** The ledger for `governance`, when both its journal and its log are the in-memory classes. */
  static of(governance: Governance): NowLedger | undefined {
    const { journal, audit } = governance;
    return Object.getPrototypeOf(journal) === MemoryEffectJournal.prototype &&
      Object.getPrototypeOf(audit) === MemoryAuditLog.prototype &&
      !overridden(journal, JOURNAL_METHODS) &&
      !overridden(audit, LOG_METHODS)
      ? new NowLedger(governance, journal as MemoryEffectJournal, audit as MemoryAuditLog)
      : undefined;
  }

  /**
   * A call new to the journal as the gate's awaited path runs it (a call met again is handed to
   * that path, `awaited`): the same
   * checks, the same entries in the same order, each written before the step it allows. It
   * awaits only what may wait: `run`, and a person (`held`, the awaited path, takes over a call
   * that needs one). The clock is read once before `run` and once after, since nothing between
   * two readings waits.
   */
  async run(
    call: GateCall,
    execute: () => Promise<unknown>,
    hooks: GateHooks | undefined,
    held: Held,
    awaited: Awaited,
  ): Promise<unknown> {
    const { tool } = call;
    const scopes = scopesOf(tool, call.input);
    const hashed = hashOf(call);
    const at = call.now();
    const begun = this.begin(call, scopes, hashed ?? UNHASHABLE, at);
    // Met again (a resumed step): the awaited path goes on from the entry it finds.
    if (begun === undefined) return awaited(call, execute, hooks);
    let entry = begun;
    const verdict = verdictOf(this.governance, call, scopes, hashed);
    if (verdict.decision === 'deny') {
      const denied = this.advance(call, entry, 'denied', at, verdict.by, verdict.reason);
      this.audit(call, denied, 'denied', at, verdict.by, verdict.reason);
      throw denial(tool.name, verdict.by, verdict.reason);
    }
    // The same call made again while an earlier run of it has an unknown outcome is held.
    const interrupted = safeToRepeat(tool) ? undefined : this.interruptedBefore(call, entry);
    if (verdict.decision === 'ask' || interrupted !== undefined) {
      return held(call, entry, scopes, verdict, interrupted, execute, hooks);
    }
    entry = this.advance(call, entry, 'approved', at, verdict.by, undefined);
    this.audit(call, entry, 'allowed', at, verdict.by, undefined);
    const executing = this.advance(call, entry, 'executing', at, undefined, undefined);
    if (tool.effect !== 'read') this.audit(call, entry, 'executed', at, undefined, undefined);
    let output: unknown;
    try {
      output = await execute();
    } catch (error) {
      const ended = call.now();
      const { state, detail } = failureOf(call, error);
      this.advance(call, executing, state, ended, undefined, reasonOf(error));
      this.audit(call, executing, 'result', ended, undefined, detail);
      throw error;
    }
    const ended = call.now();
    this.done(call, executing, ended, output);
    this.audit(call, executing, 'result', ended, undefined, 'ok');
    return output;
  }

  /** The call's new entry, or undefined when it is met again (its key is there already). */
  begin(call: GateCall, scopes: Scopes, argsHash: string, at: number): EffectEntry | undefined {
    const entry = this.journal.beginNew({
      key: call.key,
      agent: call.agent,
      threadId: call.threadId,
      tool: call.tool.name,
      effect: call.tool.effect,
      argsHash,
      scopes: scopes.ok ? scopes.scopes : [],
      at,
    });
    if (entry !== undefined) call.journaled?.(entry);
    return entry;
  }

  advance(
    call: GateCall,
    entry: EffectEntry,
    state: EffectState,
    at: number,
    decidedBy: string | undefined,
    reason: string | undefined,
  ): EffectEntry {
    const next = this.journal.advanceWith(
      entry.key,
      entry.version,
      state,
      at,
      decidedBy,
      undefined,
      reason,
      undefined,
    );
    call.journaled?.(next);
    return next;
  }

  /** `executing -> done`, with the result `run` returned. */
  done(call: GateCall, entry: EffectEntry, at: number, result: unknown): EffectEntry {
    const next = this.journal.advanceWith(
      entry.key,
      entry.version,
      'done',
      at,
      undefined,
      undefined,
      undefined,
      result,
    );
    call.journaled?.(next);
    return next;
  }

  audit(
    call: GateCall,
    entry: EffectEntry,
    kind: AuditKind,
    at: number,
    by: string | undefined,
    detail: string | undefined,
  ): void {
    this.log.recordFields(
      kind,
      call.agent,
      call.threadId,
      entry.tool,
      entry.key,
      entry.argsHash,
      by,
      detail,
      at,
    );
  }

  /** `interruptedBefore`, read from the journal at once. */
  interruptedBefore(call: GateCall, entry: EffectEntry): EffectEntry | undefined {
    const entries = this.journal.listCallNow(call.threadId, call.tool.name, entry.argsHash);
    return lastInterrupted(entries, { tool: call.tool.name, key: call.key }, entry.argsHash);
  }
}

const JOURNAL_METHODS = ['begin', 'get', 'advance', 'list', 'listCall'] as const;
const LOG_METHODS = ['append', 'entries'] as const;

/** True when an instance carries its own version of a method (a test's spy, say). */
function overridden(object: object, methods: readonly string[]): boolean {
  return methods.some((method) => Object.hasOwn(object, method));
}
