import type { ToolContext } from '@warden/agents';
import type { EffectRecord } from './effect-recorder.js';
import { simulationOf } from './simulation.js';

/**
 * Records the side effect a tool is making, in the simulation its node belongs to, keyed by
 * `key` (default: the call's idempotency key). Outside a simulation it does nothing, so a tool
 * can call it in production code paths and tests alike.
 */
export function recordEffect(
  ctx: Pick<ToolContext, 'node' | 'idempotencyKey'>,
  effect: { tool: string; key?: string; irreversible?: boolean },
): EffectRecord | undefined {
  const sim = simulationOf(ctx.node);
  if (sim === undefined) return undefined;
  return sim.effects.record({
    tool: effect.tool,
    key: effect.key ?? ctx.idempotencyKey,
    ...(effect.irreversible === undefined ? {} : { irreversible: effect.irreversible }),
  });
}
