import { bareAgentRig } from './agent-bare-rig.js';
import type { MakeAgentRig } from './agent-rig.js';
import { wardenAgentRig } from './agent-warden-rig.js';

/** The contenders of the agent workloads: the bare loop (`raw`), warden and two frameworks. */
export type AgentContender = 'raw' | 'warden' | 'langgraph' | 'openai-agents';

export const AGENT_CONTENDERS: readonly AgentContender[] = [
  'raw',
  'warden',
  'langgraph',
  'openai-agents',
];

export function isAgentContender(value: unknown): value is AgentContender {
  return AGENT_CONTENDERS.includes(value as AgentContender);
}

/**
 * Each contender's rig. The frameworks are imported when first used: loading LangChain or the
 * Agents SDK for a run that does not measure them would only slow its start.
 */
export const AGENT_RIGS: Readonly<Record<AgentContender, MakeAgentRig>> = {
  raw: bareAgentRig,
  warden: wardenAgentRig,
  langgraph: async (options) =>
    (await import('./agent-langgraph-rig.js')).langgraphAgentRig(options),
  'openai-agents': async (options) =>
    (await import('./agent-openai-rig.js')).openaiAgentRig(options),
};
