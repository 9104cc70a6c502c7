import { checkApproval, resourceOf } from './approval.js';
import { bindingKey } from './approval-store.js';
import { type Grant, resumeCall, UNKNOWN_DETAIL, unknownMode } from './decide-unknown.js';
import type { EffectEntry } from './effect-journal.js';
import {
  bindingOf,
  denial,
  failureOf,
  type GateCall,
  type GateHooks,
  reasonOf,
  type Scopes,
  scopesOf,
  timedOut,
} from './gate-call.js';
import { GateLedger, type Question } from './gate-ledger.js';
import { type Awaited, type Held, NowLedger } from './gate-now.js';
import { hashOf, UNHASHABLE, type Verdict, verdictOf } from './gate-verdict.js';
import type { Governance } from './governance.js';
import { GovernanceError, isGovernanceError } from './governance-error.js';
import { interruptedBefore, repeatedQuestion, safeToRepeat } from './unknown-outcome.js';

export type { GateCall, GateHooks } from './gate-call.js';

interface Decided {
  readonly entry: EffectEntry;
}

/**
 * The gate every tool call passes between schema validation and `run`: the capability check, the
 * policy (a freeze first), a person when the policy says `ask`, each decision journaled and
 * audited before the step it allows. `run` executes only from an `approved` journal entry it
 * moved to `executing` itself, so a call resumed after a crash never runs a finished effect again.
 * A refusal is a `ToolError` `ERR_PERMISSION_DENIED` whose message says who refused and why.
 *
 * A call interrupted while it ran (its outcome unknown) runs again, with the same key, only when
 * that is safe (a read, an idempotent tool) or a person approved exactly that; otherwise a policy
 * or a person settles it as not run again. Until then the run waits, visibly, and the same call
 * made again by the model is held the same way.
 */
export class Gate {
  readonly #ledger: GateLedger;

  /** Set when the journal and the audit log are the in-memory ones: nothing a call writes waits. */
  readonly #now: NowLedger | undefined;

  constructor(readonly governance: Governance) {
    this.#ledger = new GateLedger(governance);
    this.#now = NowLedger.of(governance);
  }

  run(call: GateCall, execute: () => Promise<unknown>, hooks?: GateHooks): Promise<unknown> {
    const now = this.#now;
    return now === undefined
      ? this.#run(call, execute, hooks)
      : now.run(call, execute, hooks, this.#held, this.#awaited);
  }

  readonly #awaited: Awaited = (call, execute, hooks) => this.#run(call, execute, hooks);

  /** A call on the in-memory path that a person or an interrupted identical call holds. */
  readonly #held: Held = async (call, entry, scopes, verdict, interrupted, execute, hooks) => {
    const decided = await this.#decided(call, entry, scopes, verdict, interrupted, hooks);
    return this.#execute(call, decided.entry, execute, undefined);
  };

  async #run(
    call: GateCall,
    execute: () => Promise<unknown>,
    hooks: GateHooks | undefined,
  ): Promise<unknown> {
    const { journal } = this.governance;
    const { tool, input } = call;
    const scopes = scopesOf(tool, input);
    const hashed = hashOf(call);
    let entry: EffectEntry;
    let grant: Grant | undefined;
    try {
      entry = await journal.begin({
        key: call.key,
        agent: call.agent,
        threadId: call.threadId,
        tool: tool.name,
        effect: tool.effect,
        argsHash: hashed ?? UNHASHABLE,
        scopes: scopes.ok ? scopes.scopes : [],
        at: call.now(),
      });
      call.journaled?.(entry);
    } catch (error) {
      if (!isGovernanceError(error, 'ERR_JOURNAL_CONFLICT')) throw error;
      entry = (await journal.get(call.key)) as EffectEntry;
      call.journaled?.(entry);
      const resumed = await resumeCall(this.#ledger, call, entry, scopes, hooks);
      if ('value' in resumed) return resumed.value;
      entry = resumed.entry;
      grant = resumed.grant;
    }
    if (entry.state === 'intent' || entry.state === 'awaiting_approval') {
      entry = (await this.#decide(call, entry, scopes, hashed, hooks)).entry;
    }
    return this.#execute(call, entry, execute, grant);
  }

  async #decide(
    call: GateCall,
    entry: EffectEntry,
    scopes: Scopes,
    hashed: string | undefined,
    hooks: GateHooks | undefined,
  ): Promise<Decided> {
    const verdict = verdictOf(this.governance, call, scopes, hashed);
    if (verdict.decision === 'deny') {
      return this.#deny(call, entry, verdict.by, verdict.reason);
    }
    // The same call made again while an earlier run of it has an unknown outcome: held as
    // that run is, never waved through by an `allow` or an approval granted ahead.
    const interrupted = safeToRepeat(call.tool)
      ? undefined
      : await interruptedBefore(
          this.governance.journal,
          { threadId: call.threadId, tool: call.tool.name, key: call.key },
          entry.argsHash,
        );
    if (verdict.decision === 'allow' && interrupted === undefined) {
      const approved = await this.#ledger.advance(call, entry, 'approved', {
        decidedBy: verdict.by,
      });
      await this.#ledger.audit(call, approved, 'allowed', { by: verdict.by });
      return { entry: approved };
    }
    return this.#decided(call, entry, scopes, verdict, interrupted, hooks);
  }

  /** A call allowed by no rule at once: a person asks, or an interrupted identical call holds it. */
  #decided(
    call: GateCall,
    entry: EffectEntry,
    scopes: Scopes,
    verdict: Verdict,
    interrupted: EffectEntry | undefined,
    hooks: GateHooks | undefined,
  ): Promise<Decided> {
    const touched = scopes.ok ? scopes.scopes : [];
    if (interrupted !== undefined) {
      return this.#repeated(call, entry, touched, verdict.by, interrupted.key, hooks);
    }
    return this.#ask(call, entry, touched, verdict.by, hooks);
  }

  async #repeated(
    call: GateCall,
    entry: EffectEntry,
    scopes: readonly string[],
    rule: string,
    interrupted: string,
    hooks: GateHooks | undefined,
  ): Promise<Decided> {
    const route = unknownMode(this.governance, call, scopes, rule);
    hooks?.notify?.({
      type: 'governance.unknown_outcome',
      tool: call.tool.name,
      key: entry.key,
      interrupted,
      next: route.ask ? 'ask' : 'fail',
    });
    if (!route.ask) {
      this.#ledger.decided(hooks, call, entry.key, interrupted, 'not_run', route.by);
      return this.#deny(call, entry, route.by, repeatedWhy(interrupted, route.why));
    }
    return this.#ask(call, entry, scopes, route.by, hooks, {
      reason: repeatedQuestion(interrupted),
      interrupted,
    });
  }

  async #ask(
    call: GateCall,
    entry: EffectEntry,
    scopes: readonly string[],
    rule: string,
    hooks: GateHooks | undefined,
    question?: Question,
  ): Promise<Decided> {
    const { desk, onTimeout } = this.governance;
    if (desk === undefined) {
      return this.#deny(call, entry, rule, 'it needs a person to approve it and none is set up');
    }
    const resource = resourceOf(scopes);
    if (question === undefined) {
      // An approval granted ahead for this exact call is used once, without waiting.
      const binding = bindingOf(call, entry, resource);
      for (const standing of await desk.store.standing(bindingKey(binding))) {
        const check = await checkApproval(desk.store, standing, binding, call.now());
        if (check.ok) return this.#approved(call, entry, standing.approver, standing.nonce);
      }
    }
    let current = entry;
    if (current.state === 'intent') {
      current = await this.#ledger.advance(call, current, 'awaiting_approval', {
        decidedBy: rule,
      });
    }
    await this.#ledger.audit(call, current, 'requested', {
      by: rule,
      detail: question === undefined ? undefined : UNKNOWN_DETAIL,
    });
    const answer = await this.#ledger.consult(call, current, resource, rule, hooks, question);
    const decided = (decision: 'rerun' | 'not_run', by: string) => {
      if (question === undefined) return;
      this.#ledger.decided(hooks, call, entry.key, question.interrupted, decision, by);
    };
    switch (answer.kind) {
      case 'approved':
        decided('rerun', `person:${answer.approver}`);
        return this.#approved(call, current, answer.approver, answer.nonce);
      case 'refused':
        decided('not_run', answer.by);
        return this.#deny(call, current, answer.by, answer.reason);
      case 'withdrawn':
        return this.#deny(call, current, 'cancel', 'the task was cancelled while it waited');
      case 'timeout': {
        decided('not_run', 'timeout');
        const raise = onTimeout === 'deny';
        const why = 'nobody approved it before the deadline';
        const decision = await this.#deny(call, current, 'timeout', why, raise);
        if (raise) return decision;
        throw timedOut(call.tool.name);
      }
    }
  }

  async #approved(
    call: GateCall,
    entry: EffectEntry,
    approver: string,
    nonce: string,
  ): Promise<Decided> {
    const by = `person:${approver}`;
    const approved = await this.#ledger.advance(call, entry, 'approved', {
      decidedBy: by,
      approval: nonce,
    });
    await this.#ledger.audit(call, approved, 'allowed', { by });
    return { entry: approved };
  }

  /** Journals and audits a denial, then throws it (unless told to return, for a timeout exit). */
  async #deny(
    call: GateCall,
    entry: EffectEntry,
    by: string,
    reason: string,
    raise = true,
  ): Promise<Decided> {
    const denied = await this.#ledger.advance(call, entry, 'denied', { decidedBy: by, reason });
    await this.#ledger.audit(call, denied, 'denied', { by, detail: reason });
    if (raise) throw denial(call.tool.name, by, reason);
    return { entry: denied };
  }

  async #execute(
    call: GateCall,
    entry: EffectEntry,
    execute: () => Promise<unknown>,
    grant: Grant | undefined,
  ): Promise<unknown> {
    const rerun = entry.state === 'unknown' && (grant !== undefined || safeToRepeat(call.tool));
    if (entry.state !== 'approved' && !rerun) {
      throw new GovernanceError(
        'ERR_INVALID_TRANSITION',
        `journal entry ${entry.key} is ${entry.state}, not approved`,
      );
    }
    const ledger = this.#ledger;
    // Compare-and-set before the audit: of two instances holding an approval, one runs it.
    const executing = await ledger.advance(call, entry, 'executing', grant ?? NO_FIELDS);
    if (call.tool.effect !== 'read') await ledger.audit(call, entry, 'executed', {});
    let output: unknown;
    try {
      output = await execute();
    } catch (error) {
      const { state, detail } = failureOf(call, error);
      await ledger.advance(call, executing, state, { reason: reasonOf(error) });
      await ledger.audit(call, executing, 'result', { detail });
      throw error;
    }
    await ledger.advance(call, executing, 'done', { result: output });
    await ledger.audit(call, executing, 'result', { detail: 'ok' });
    return output;
  }
}

const NO_FIELDS = Object.freeze({});

function repeatedWhy(interrupted: string, why: string): string {
  return `an identical call before this one (${interrupted}) was interrupted while it ran and may have taken effect; ${why}`;
}
