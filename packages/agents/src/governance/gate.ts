import type { AnyTool } from '../tools/tool.js';
import { ToolError } from '../tools/tool-error.js';
import { type ApprovalBinding, checkApproval, resourceOf } from './approval.js';
import { bindingKey } from './approval-store.js';
import { argsHash } from './args-hash.js';
import type { AuditKind } from './audit-log.js';
import type { EffectEntry, EffectState } from './effect-journal.js';
import type { Governance } from './governance.js';
import { GovernanceError, isGovernanceError } from './governance-error.js';

/** One validated call, as the gate sees it. */
export interface GateCall {
  readonly agent: string;
  readonly threadId: string;
  readonly tool: AnyTool;
  /** The arguments after the tool's schema: what `run` would get. */
  readonly input: unknown;
  /** The call's idempotency key: its journal entry's key. */
  readonly key: string;
  /** The task's signal: aborting it withdraws a waiting request. */
  readonly signal: AbortSignal;
  now(): number;
}

/** What the agent does while a call waits for a person (its lifecycle state). */
export interface GateHooks {
  waiting(): void;
  answered(approved: boolean): void;
}

interface Decided {
  readonly entry: EffectEntry;
}

/**
 * The gate every tool call passes between schema validation and `run`: the capability check, the
 * policy (a freeze first), a person when the policy says `ask`, each decision journaled and
 * audited before the step it allows. `run` executes only from an `approved` journal entry it
 * moved to `executing` itself, so a call resumed after a crash never runs a finished effect again.
 * A refusal is a `ToolError` `ERR_PERMISSION_DENIED` whose message says who refused and why.
 */
export class Gate {
  constructor(readonly governance: Governance) {}

  async run(call: GateCall, execute: () => Promise<unknown>, hooks?: GateHooks): Promise<unknown> {
    const { journal } = this.governance;
    const { tool, input } = call;
    const scopes = scopesOf(tool, input);
    const hashed = argsHash(input);
    let entry: EffectEntry;
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
    } catch (error) {
      if (!isGovernanceError(error, 'ERR_JOURNAL_CONFLICT')) throw error;
      entry = (await journal.get(call.key)) as EffectEntry;
      const settled = await this.#resume(call, entry);
      if ('value' in settled) return settled.value;
      entry = settled.entry;
    }
    if (entry.state === 'intent' || entry.state === 'awaiting_approval') {
      if (!scopes.ok) return this.#deny(call, entry, 'capability', scopes.reason);
      if (hashed === undefined && tool.effect !== 'read') {
        return this.#deny(call, entry, 'arguments', UNBINDABLE);
      }
      entry = (await this.#decide(call, entry, scopes.scopes, hooks)).entry;
    }
    return this.#execute(call, entry, execute);
  }

  /**
   * A call met again (a resumed step): what its journal entry already settled, or the entry to
   * go on from. A call interrupted while it ran may or may not have happened: an idempotent tool
   * runs again with the same key (its declaration says that is harmless), any other never does.
   */
  async #resume(
    call: GateCall,
    entry: EffectEntry,
  ): Promise<{ readonly value: unknown } | { readonly entry: EffectEntry }> {
    switch (entry.state) {
      case 'done':
        return { value: entry.result };
      case 'denied':
        throw denial(call.tool.name, entry.decidedBy ?? 'policy', entry.reason ?? 'denied');
      case 'failed':
        throw new ToolError('ERR_TOOL_FAILED', call.tool.name, entry.reason ?? 'failed');
      case 'executing': {
        const unknown = await this.#advance(call, entry, 'unknown', {
          reason: 'interrupted while executing',
        });
        await this.#audit(call, entry, 'result', { detail: 'unknown' });
        if (call.tool.idempotent) return { entry: unknown };
        throw unknownOutcome(call.tool.name);
      }
      case 'unknown':
        if (call.tool.idempotent) return { entry };
        throw unknownOutcome(call.tool.name);
      default:
        return { entry };
    }
  }

  async #decide(
    call: GateCall,
    entry: EffectEntry,
    scopes: readonly string[],
    hooks: GateHooks | undefined,
  ): Promise<Decided> {
    const { capabilities, policy } = this.governance;
    const { tool } = call;
    const held = capabilities.check(tool.name, tool.effect, scopes);
    if (!held.ok) return this.#deny(call, entry, 'capability', held.reason);
    const verdict = policy.decide({
      agent: call.agent,
      tool: tool.name,
      effect: tool.effect,
      scopes,
    });
    if (verdict.decision === 'deny') {
      return this.#deny(call, entry, verdict.by, deniedWhy(verdict.by, tool.effect));
    }
    if (verdict.decision === 'allow') {
      const approved = await this.#advance(call, entry, 'approved', { decidedBy: verdict.by });
      await this.#audit(call, approved, 'allowed', { by: verdict.by });
      return { entry: approved };
    }
    return this.#ask(call, entry, scopes, verdict.by, hooks);
  }

  async #ask(
    call: GateCall,
    entry: EffectEntry,
    scopes: readonly string[],
    rule: string,
    hooks: GateHooks | undefined,
  ): Promise<Decided> {
    const { desk, onTimeout } = this.governance;
    const binding: ApprovalBinding = {
      agent: call.agent,
      tool: call.tool.name,
      argsHash: entry.argsHash,
      resource: resourceOf(scopes),
    };
    if (desk === undefined) {
      return this.#deny(call, entry, rule, 'it needs a person to approve it and none is set up');
    }
    // An approval granted ahead for this exact call is used once, without waiting.
    for (const standing of await desk.store.standing(bindingKey(binding))) {
      const check = await checkApproval(desk.store, standing, binding, call.now());
      if (check.ok) return this.#approved(call, entry, standing.approver, standing.nonce);
    }
    let current = entry;
    if (current.state === 'intent') {
      current = await this.#advance(call, current, 'awaiting_approval', { decidedBy: rule });
    }
    await this.#audit(call, current, 'requested', { by: rule });
    const { answer } = desk.ask(
      {
        agent: call.agent,
        threadId: call.threadId,
        tool: call.tool.name,
        effect: call.tool.effect,
        input: call.input,
        argsHash: entry.argsHash,
        resource: binding.resource,
        rule,
      },
      call.signal,
    );
    hooks?.waiting();
    const answered = await answer;
    switch (answered.kind) {
      case 'approval': {
        const check = await checkApproval(desk.store, answered.approval, binding, call.now());
        if (check.ok) {
          hooks?.answered(true);
          return this.#approved(call, current, answered.approval.approver, answered.approval.nonce);
        }
        hooks?.answered(false);
        return this.#deny(call, current, 'approval', `the approval given was ${check.reason}`);
      }
      case 'denied':
        hooks?.answered(false);
        return this.#deny(call, current, answered.by, answered.reason);
      case 'withdrawn':
        return this.#deny(call, current, 'cancel', 'the task was cancelled while it waited');
      case 'timeout': {
        hooks?.answered(false);
        const decided = await this.#deny(
          call,
          current,
          'timeout',
          'nobody approved it before the deadline',
          onTimeout === 'deny',
        );
        if (onTimeout === 'deny') return decided;
        throw new GovernanceError(
          'ERR_APPROVAL_TIMEOUT',
          `${call.tool.name}: nobody approved the call before the deadline`,
        );
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
    const approved = await this.#advance(call, entry, 'approved', {
      decidedBy: by,
      approval: nonce,
    });
    await this.#audit(call, approved, 'allowed', { by });
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
    const denied = await this.#advance(call, entry, 'denied', { decidedBy: by, reason });
    await this.#audit(call, denied, 'denied', { by, detail: reason });
    if (raise) throw denial(call.tool.name, by, reason);
    return { entry: denied };
  }

  async #execute(
    call: GateCall,
    entry: EffectEntry,
    execute: () => Promise<unknown>,
  ): Promise<unknown> {
    if (entry.state !== 'approved' && !(entry.state === 'unknown' && call.tool.idempotent)) {
      throw new GovernanceError(
        'ERR_INVALID_TRANSITION',
        `journal entry ${entry.key} is ${entry.state}, not approved`,
      );
    }
    if (call.tool.effect !== 'read') await this.#audit(call, entry, 'executed', {});
    const executing = await this.#advance(call, entry, 'executing', {});
    let output: unknown;
    try {
      output = await execute();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const reason = error instanceof Error ? error.message : String(error);
      // Aborted half-way, it may have had its effect: say so rather than "failed".
      const state: EffectState = call.signal.aborted ? 'unknown' : 'failed';
      await this.#advance(call, executing, state, { reason });
      await this.#audit(call, executing, 'result', {
        detail: typeof code === 'string' ? code : state,
      });
      throw error;
    }
    await this.#advance(call, executing, 'done', { result: output });
    await this.#audit(call, executing, 'result', { detail: 'ok' });
    return output;
  }

  #advance(
    call: GateCall,
    entry: EffectEntry,
    state: EffectState,
    fields: {
      readonly decidedBy?: string;
      readonly approval?: string;
      readonly reason?: string;
      readonly result?: unknown;
    },
  ): Promise<EffectEntry> {
    // One shape for every change: the journal's hot path stays monomorphic.
    return this.governance.journal.advance(entry.key, entry.version, {
      state,
      at: call.now(),
      decidedBy: fields.decidedBy,
      approval: fields.approval,
      reason: fields.reason,
      result: fields.result,
    });
  }

  #audit(
    call: GateCall,
    entry: EffectEntry,
    kind: AuditKind,
    extra: { readonly by?: string; readonly detail?: string },
  ): Promise<unknown> {
    return this.governance.audit.append(
      {
        kind,
        agent: call.agent,
        threadId: call.threadId,
        tool: entry.tool,
        key: entry.key,
        argsHash: entry.argsHash,
        by: extra.by,
        detail: extra.detail,
      },
      call.now(),
    );
  }
}

/** The journal's `argsHash` of a call whose arguments have no canonical form. */
const UNHASHABLE = '-';
const UNBINDABLE =
  'its arguments have no canonical form, so no approval or journal entry can be bound to them';

type Scopes =
  | { readonly ok: true; readonly scopes: readonly string[] }
  | { readonly ok: false; readonly reason: string };

const NO_SCOPES: Scopes = Object.freeze({ ok: true, scopes: Object.freeze([]) });

/** The resources a call touches, read by the tool's `scope`; one that throws is refused. */
function scopesOf(tool: AnyTool, input: unknown): Scopes {
  if (tool.scope === undefined) return NO_SCOPES;
  try {
    const named = tool.scope(input);
    const list = typeof named === 'string' ? [named] : [...named];
    if (!list.every((s) => typeof s === 'string' && s !== '')) {
      return { ok: false, reason: `${tool.name} named a resource that is not a string` };
    }
    return { ok: true, scopes: list };
  } catch {
    return { ok: false, reason: `${tool.name} could not say which resource it touches` };
  }
}

function denial(tool: string, by: string, reason: string): ToolError {
  return new ToolError(
    'ERR_PERMISSION_DENIED',
    tool,
    `${tool} was not run: denied by ${by}: ${reason}`,
  );
}

function unknownOutcome(tool: string): ToolError {
  return new ToolError(
    'ERR_TOOL_FAILED',
    tool,
    `${tool} was interrupted while it ran; it may or may not have taken effect, check before trying again`,
  );
}

function deniedWhy(by: string, effect: string): string {
  if (by.startsWith('freeze:')) return `a freeze is on: no ${effect} call runs until it lifts`;
  if (by === 'default:irreversible')
    return 'irreversible calls are denied unless a rule asks a person';
  return 'the policy denies this call';
}
