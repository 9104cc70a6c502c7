import { ToolError } from '../tools/tool-error.js';
import { resourceOf } from './approval.js';
import type { EffectEntry } from './effect-journal.js';
import {
  denial,
  deniedWhy,
  type GateCall,
  type GateHooks,
  type Scopes,
  timedOut,
} from './gate-call.js';
import type { GateLedger } from './gate-ledger.js';
import type { Governance } from './governance.js';
import {
  INTERRUPTED_QUESTION,
  isSettledUnknown,
  notRunAgain,
  notRunAgainOf,
  notRunAgainReason,
  safeToRepeat,
  stillUnknown,
} from './unknown-outcome.js';

/** A run of an unknown call that a person approved: what its `executing` transition records. */
export interface Grant {
  readonly decidedBy: string;
  readonly approval: string;
}

/** What a call met again goes on from: its stored result, or an entry (and a granted re-run). */
export type Resumed =
  | { readonly value: unknown }
  | { readonly entry: EffectEntry; readonly grant?: Grant | undefined };

/** How an unknown outcome is decided: a person asked, or not run again at once (and why). */
export type UnknownRoute =
  | { readonly ask: true; readonly by: string }
  | { readonly ask: false; readonly by: string; readonly why: string };

/** The audit detail of a request or decision about a call whose outcome is unknown. */
export const UNKNOWN_DETAIL = 'outcome unknown';
const RERUN_DETAIL = 'outcome unknown: run again';

/**
 * A call met again (a resumed step): what its journal entry already settled, or the entry to
 * go on from. A call interrupted while it ran may or may not have happened: it becomes
 * `unknown`, and `decideUnknown` says whether it runs again.
 */
export async function resumeCall(
  ledger: GateLedger,
  call: GateCall,
  entry: EffectEntry,
  scopes: Scopes,
  hooks: GateHooks | undefined,
): Promise<Resumed> {
  switch (entry.state) {
    case 'done':
      return { value: entry.result };
    case 'denied':
      throw denial(call.tool.name, entry.decidedBy ?? 'policy', entry.reason ?? 'denied');
    case 'failed':
      if (isSettledUnknown(entry)) throw notRunAgainOf(entry);
      throw new ToolError('ERR_TOOL_FAILED', call.tool.name, entry.reason ?? 'failed');
    case 'executing': {
      // Compare-and-set: of two instances resuming the same call, one moves it on.
      const unknown = await ledger.advance(call, entry, 'unknown', {
        reason: 'interrupted while executing',
      });
      await ledger.audit(call, entry, 'result', { detail: 'unknown' });
      return decideUnknown(ledger, call, unknown, scopes, hooks);
    }
    case 'unknown':
      return decideUnknown(ledger, call, entry, scopes, hooks);
    default:
      return { entry };
  }
}

/**
 * A call whose outcome is unknown (its entry is `unknown`): a read or an idempotent tool runs
 * again at once, with the same key. Anything else passes the capabilities and the policy again
 * (a freeze on now holds it), then waits for a person, or is settled at once when the policy
 * says `fail` or nobody is set up to decide. It never reaches the model as a failure to retry:
 * the model is told it may have happened and who decided it was not run again.
 */
export async function decideUnknown(
  ledger: GateLedger,
  call: GateCall,
  entry: EffectEntry,
  scopes: Scopes,
  hooks: GateHooks | undefined,
): Promise<Resumed> {
  const { tool } = call;
  const found = (next: 'rerun' | 'ask' | 'fail') =>
    hooks?.notify?.({
      type: 'governance.unknown_outcome',
      tool: tool.name,
      key: entry.key,
      interrupted: entry.key,
      next,
    });
  if (safeToRepeat(tool)) {
    found('rerun');
    return { entry };
  }
  const route = unknownRoute(ledger.governance, call, scopes);
  if (!route.ask) {
    found('fail');
    await settle(ledger, call, entry, route.by, route.why, hooks);
    throw notRunAgain(tool.name, route.by, route.why);
  }
  found('ask');
  const resource = resourceOf(scopes.ok ? scopes.scopes : []);
  await ledger.audit(call, entry, 'requested', { by: route.by, detail: UNKNOWN_DETAIL });
  const answer = await ledger.consult(call, entry, resource, route.by, hooks, {
    reason: INTERRUPTED_QUESTION,
    interrupted: entry.key,
  });
  switch (answer.kind) {
    case 'approved': {
      const by = `person:${answer.approver}`;
      await ledger.audit(call, entry, 'allowed', { by, detail: RERUN_DETAIL });
      ledger.decided(hooks, call, entry.key, entry.key, 'rerun', by);
      return { entry, grant: { decidedBy: by, approval: answer.nonce } };
    }
    case 'refused':
      await settle(ledger, call, entry, answer.by, answer.reason, hooks);
      throw notRunAgain(tool.name, answer.by, answer.reason);
    case 'withdrawn':
      // Nobody decided: it stays unknown, and the next resume asks again.
      throw stillUnknown(tool.name);
    case 'timeout': {
      const why = 'nobody decided before the deadline';
      await settle(ledger, call, entry, 'timeout', why, hooks);
      if (ledger.governance.onTimeout === 'deny') throw notRunAgain(tool.name, 'timeout', why);
      throw timedOut(tool.name);
    }
  }
}

/** Where an unknown outcome goes: denied as the same call would be now, else the policy's mode. */
function unknownRoute(governance: Governance, call: GateCall, scopes: Scopes): UnknownRoute {
  if (!scopes.ok) return { ask: false, by: 'capability', why: scopes.reason };
  const { tool } = call;
  const held = governance.capabilities.check(tool.name, tool.effect, scopes.scopes);
  if (!held.ok) return { ask: false, by: 'capability', why: held.reason };
  const verdict = governance.policy.decide({
    agent: call.agent,
    tool: tool.name,
    effect: tool.effect,
    scopes: scopes.scopes,
  });
  if (verdict.decision === 'deny') {
    return { ask: false, by: verdict.by, why: deniedWhy(verdict.by, tool.effect) };
  }
  return unknownMode(governance, call, scopes.scopes, verdict.by);
}

/**
 * The policy's `onUnknownOutcome` for this call (the matching rule's, else the policy's, else
 * `ask` with an approval desk and `fail` without). A refusal names who chose it; a question
 * names `rule`, what the policy decided for the call, as any request to a person does.
 */
export function unknownMode(
  governance: Governance,
  call: GateCall,
  scopes: readonly string[],
  rule: string,
): UnknownRoute {
  const { tool } = call;
  const chosen = governance.policy.unknownOutcome({
    agent: call.agent,
    tool: tool.name,
    effect: tool.effect,
    scopes,
  });
  if (chosen.mode === 'fail') {
    return { ask: false, by: chosen.by, why: 'the policy does not run it again' };
  }
  if (governance.desk === undefined) {
    return { ask: false, by: chosen.by, why: 'it needs a person to decide and none is set up' };
  }
  return { ask: true, by: rule };
}

/** Settles an unknown call as not run again (`unknown -> failed`), naming who decided. */
async function settle(
  ledger: GateLedger,
  call: GateCall,
  entry: EffectEntry,
  by: string,
  why: string,
  hooks: GateHooks | undefined,
): Promise<void> {
  const reason = notRunAgainReason(why);
  await ledger.advance(call, entry, 'failed', { decidedBy: by, reason });
  await ledger.audit(call, entry, 'denied', { by, detail: reason });
  ledger.decided(hooks, call, entry.key, entry.key, 'not_run', by);
}
