import { argsHash } from './args-hash.js';
import { deniedWhy, type GateCall, type Scopes } from './gate-call.js';
import type { Governance } from './governance.js';

/** What the capabilities and the policy said of a call (`reason` for a refusal). */
export type Verdict =
  | { readonly decision: 'deny'; readonly by: string; readonly reason: string }
  | { readonly decision: 'allow' | 'ask'; readonly by: string };

/** The journal's `argsHash` of a call whose arguments have no canonical form. */
export const UNHASHABLE = '-';

const UNBINDABLE =
  'its arguments have no canonical form, so no approval or journal entry can be bound to them';

/**
 * What the capabilities and the policy say of a new call, before anything is written: a refusal
 * and why (its resources unknown, its arguments unbindable for a call with an effect, no
 * capability, the policy), or `allow` or `ask` and the rule that said it. Both of the gate's
 * paths decide through it, in this order.
 */
export function verdictOf(
  governance: Governance,
  call: GateCall,
  scopes: Scopes,
  hashed: string | undefined,
): Verdict {
  const { tool } = call;
  if (!scopes.ok) return { decision: 'deny', by: 'capability', reason: scopes.reason };
  if (hashed === undefined && tool.effect !== 'read') {
    return { decision: 'deny', by: 'arguments', reason: UNBINDABLE };
  }
  const held = governance.capabilities.check(tool.name, tool.effect, scopes.scopes);
  if (!held.ok) return { decision: 'deny', by: 'capability', reason: held.reason };
  const verdict = governance.policy.decide({
    agent: call.agent,
    tool: tool.name,
    effect: tool.effect,
    scopes: scopes.scopes,
  });
  if (verdict.decision === 'deny') {
    return { decision: 'deny', by: verdict.by, reason: deniedWhy(verdict.by, tool.effect) };
  }
  return verdict as Verdict;
}

/** The arguments' hash: the caller's when it made it (an agent does, for a read's key), else made here. */
export function hashOf(call: GateCall): string | undefined {
  return call.argsHash !== undefined ? call.argsHash : argsHash(call.input);
}
