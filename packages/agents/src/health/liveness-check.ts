import { type Address, isCall, isWardenError, type Node, type Pid } from '@warden/core';
import { agentStatus } from '../agent/agent-protocol.js';
import { checkInt, checkName, invalidOption } from '../model/policy/option-checks.js';
import type { CheckOutcome } from './check-result.js';
import type { CheckContext, HealthCheck } from './health-check.js';

export const LIVENESS_DEFAULTS = Object.freeze({ deadlineMs: 5_000, everyMs: 10_000 });

export interface LivenessOptions {
  /** Default `scheduler`, or `agent:<agent>` when an agent is named. */
  readonly name?: string;
  /**
   * The agent that must answer `status` (a name or a pid). Without it, the check sends a probe
   * through a process of its own: it proves that the node's scheduler still turns.
   */
  readonly agent?: Address;
  /** The agent type reported with the result (default: the agent's address when it is a name). */
  readonly agentType?: string;
  /** The round trip must finish within this, on the node's clock. */
  readonly deadlineMs?: number;
  readonly everyMs?: number;
}

const PING = Object.freeze({ $health: 'ping' as const });

/**
 * L1: a message goes into a process and its answer comes back within the deadline. A scheduler
 * that no longer turns, or an agent whose handler is stuck, misses the deadline: the check fails.
 * An agent busy with a ten-minute model call still passes, since `status` is answered between
 * steps, which is what a liveness probe should say (busy is not dead).
 */
export function livenessCheck(options: LivenessOptions = {}): HealthCheck {
  const deadlineMs = checkInt('deadlineMs', options.deadlineMs ?? LIVENESS_DEFAULTS.deadlineMs, 1);
  const everyMs = checkInt('everyMs', options.everyMs ?? LIVENESS_DEFAULTS.everyMs, 1);
  const agent = options.agent;
  if (agent !== undefined && typeof agent !== 'string' && typeof agent !== 'object') {
    throw invalidOption('agent', agent, 'a registered name or a pid');
  }
  const agentType =
    options.agentType ?? (typeof agent === 'string' ? checkName('agent', agent) : undefined);
  const name = checkName(
    'name',
    options.name ?? (agent === undefined ? 'scheduler' : `agent:${String(agentType ?? agent)}`),
  );
  let probe: Pid | undefined;
  const probeOf = (node: Node): Pid => {
    if (probe === undefined || !node.isAlive(probe)) {
      probe = node.spawn(async (ctx) => {
        for (;;) {
          const message = await ctx.receive();
          if (isCall(message)) ctx.reply(message, 'pong');
        }
      });
    }
    return probe;
  };
  return {
    name,
    level: 'L1',
    ...(agentType === undefined ? {} : { agent: agentType }),
    everyMs,
    async run({ node }: CheckContext): Promise<CheckOutcome> {
      const start = node.clock.now();
      try {
        if (agent === undefined) {
          await node.call(probeOf(node), PING, { timeout: deadlineMs });
        } else {
          const status = await agentStatus(node, agent, { timeout: deadlineMs });
          return {
            status: 'pass',
            detail: {
              roundTripMs: node.clock.now() - start,
              state: status.state,
              level: status.level,
            },
          };
        }
        return { status: 'pass', detail: { roundTripMs: node.clock.now() - start } };
      } catch (error) {
        const code = isWardenError(error) ? error.code : undefined;
        return {
          status: 'fail',
          detail: {
            reason: code === 'ERR_CALL_TIMEOUT' ? 'deadline' : 'no answer',
            ...(code === undefined ? {} : { code }),
            deadlineMs,
          },
        };
      }
    },
  };
}
