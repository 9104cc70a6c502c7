import {
  type ActorBehaviour,
  type ActorContext,
  defineActor,
  isDown,
  isPid,
  type Pid,
  reply,
} from '@warden/core';
import { CapabilitySet, type CapabilityWire } from '../governance/capability-set.js';
import { isGovernanceError } from '../governance/governance-error.js';
import { AgentError, type AgentErrorCode } from './agent-error.js';
import type { AgentArgs, AgentBehaviour } from './define-agent.js';

/**
 * What a parent on another node sends a host to start one of its agents. The capabilities are
 * data (they crossed the wire): the host reads them back with `CapabilitySet.fromWire`, bounded
 * by its own ceiling, so a peer that lies about its rights gets no more than this node grants.
 */
export interface HostStartRequest {
  readonly $agentHost: 'start';
  /** The `name` of a definition the host serves. */
  readonly agent: string;
  readonly capabilities: CapabilityWire;
  /** Stop `normal` once its first task is answered (how a subagent runs). */
  readonly exitWhenDone?: boolean;
}

export type HostStartReply =
  | { readonly ok: true; readonly pid: Pid }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface AgentHostOptions {
  /** The definitions a peer may start here, by their `name`. Any other name is refused. */
  readonly agents: readonly AgentBehaviour[];
  /**
   * The most an agent started here for a peer may do, whatever the peer claims: required, so a
   * host that nobody thought about grants nothing by accident.
   */
  readonly ceiling: CapabilitySet;
  /** Agents started for peers and still alive, at most; default 64. */
  readonly maxLive?: number;
}

interface HostState {
  readonly live: Map<string, Pid>;
}

const DEFAULT_MAX_LIVE = 64;

/**
 * The process on a node that starts agents for parents on other nodes: core has no remote spawn,
 * so a parent's subagent supervisor asks this one, and links the pid it gets back (the link
 * crosses the wire; a parent node that goes away takes the agent with it). Each agent starts
 * with the peer's capabilities intersected with this host's ceiling and with its own
 * definition's, never more. Everything a peer sends is checked; a bad request gets a typed
 * refusal, never a crash of the host.
 *
 * @example
 * // on the worker node, under its supervisor:
 * { id: 'agent-host', start: { behaviour: agentHost({ agents: [researcher],
 *   ceiling: CapabilitySet.of([{ tools: ['search'], upTo: 'read' }]) }), options: { name: 'agents' } } }
 */
export function agentHost(options: AgentHostOptions): ActorBehaviour<HostState, void> {
  const agents = checkOptions(options);
  const maxLive = options.maxLive ?? DEFAULT_MAX_LIVE;
  return defineActor<HostState, void>({
    init: () => ({ live: new Map() }),
    handleCall: (request: unknown, _from, state, ctx) => reply(start(request, state, ctx), state),
    handleInfo: (message: unknown, state) => {
      if (isDown(message)) state.live.delete(message.pid.key);
      return state;
    },
  });

  function start(request: unknown, state: HostState, ctx: ActorContext): HostStartReply {
    if (!isHostStartRequest(request)) {
      return refused('ERR_INVALID_OPTION', 'not an agent host request');
    }
    const agent = agents.get(request.agent);
    if (agent === undefined) {
      return refused('ERR_UNKNOWN_AGENT', `this node serves no agent ${printable(request.agent)}`);
    }
    if (state.live.size >= maxLive) {
      return refused('ERR_SUBAGENT_CEILING', `this node runs ${maxLive} agents for peers`);
    }
    let capabilities: CapabilitySet;
    try {
      capabilities = CapabilitySet.fromWire(request.capabilities, options.ceiling);
    } catch (error) {
      if (!isGovernanceError(error)) throw error;
      return refused('ERR_INVALID_OPTION', error.message);
    }
    const args: AgentArgs = {
      exitWhenDone: request.exitWhenDone === true,
      governance: { capabilities },
    };
    const pid = ctx.spawn(agent, { args });
    ctx.monitor(pid);
    state.live.set(pid.key, pid);
    return { ok: true, pid };
  }
}

/**
 * Asks the host `host` to start `agent` with `capabilities` (at most); resolves with its pid.
 * A refusal is thrown as the `AgentError` the host named; an answer that is not a host's answer
 * is `ERR_MALFORMED_REPLY`.
 */
export async function startOnHost(
  ctx: ActorContext,
  host: Pid,
  agent: string,
  capabilities: CapabilitySet,
  options: { readonly exitWhenDone?: boolean; readonly timeoutMs?: number } = {},
): Promise<Pid> {
  const request: HostStartRequest = {
    $agentHost: 'start',
    agent,
    capabilities: capabilities.toWire(),
    exitWhenDone: options.exitWhenDone === true,
  };
  const answer = await ctx.call<unknown>(host, request, { timeout: options.timeoutMs ?? 10_000 });
  const a = answer as Partial<{ ok: boolean; pid: unknown; code: unknown; message: unknown }>;
  if (a !== null && typeof a === 'object' && a.ok === true && isPid(a.pid)) return a.pid;
  if (a !== null && typeof a === 'object' && a.ok === false && isHostCode(a.code)) {
    throw new AgentError(a.code, `agent host refused ${agent}: ${printable(a.message)}`);
  }
  throw new AgentError('ERR_MALFORMED_REPLY', `agent host answered ${printable(answer)}`);
}

const HOST_CODES: readonly AgentErrorCode[] = [
  'ERR_INVALID_OPTION',
  'ERR_UNKNOWN_AGENT',
  'ERR_SUBAGENT_CEILING',
];

function isHostCode(code: unknown): code is AgentErrorCode {
  return HOST_CODES.includes(code as AgentErrorCode);
}

function refused(code: AgentErrorCode, message: string): HostStartReply {
  return { ok: false, code, message };
}

function isHostStartRequest(value: unknown): value is HostStartRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.$agentHost === 'start' &&
    typeof v.agent === 'string' &&
    (v.exitWhenDone === undefined || typeof v.exitWhenDone === 'boolean')
  );
}

/** A peer's text, bounded, for a message that someone will read. */
function printable(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

function checkOptions(options: AgentHostOptions): ReadonlyMap<string, AgentBehaviour> {
  if (!CapabilitySet.is(options?.ceiling)) {
    throw new AgentError(
      'ERR_INVALID_OPTION',
      'agentHost needs a ceiling (a CapabilitySet): what agents started for peers may do at most',
      { field: 'ceiling' },
    );
  }
  const maxLive = options.maxLive ?? DEFAULT_MAX_LIVE;
  if (!Number.isInteger(maxLive) || maxLive < 1) {
    throw new AgentError('ERR_INVALID_OPTION', `agentHost maxLive must be a positive integer`, {
      field: 'maxLive',
    });
  }
  const agents = new Map<string, AgentBehaviour>();
  for (const agent of options.agents ?? []) {
    if (typeof agent?.agentName !== 'string') {
      throw new AgentError('ERR_INVALID_OPTION', 'agentHost agents must be made by defineAgent', {
        field: 'agents',
      });
    }
    if (agents.has(agent.agentName)) {
      throw new AgentError('ERR_INVALID_OPTION', `agentHost serves ${agent.agentName} twice`, {
        field: 'agents',
      });
    }
    agents.set(agent.agentName, agent);
  }
  return agents;
}
