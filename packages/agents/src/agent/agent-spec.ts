import type { CompactionOptions } from '../context/compaction.js';
import { COMPACTION_DEFAULTS } from '../context/compaction.js';
import type { GovernanceSpec } from '../governance/governance.js';
import type { ModelClient } from '../model/model-client.js';
import type { AgentStore } from '../store/agent-store.js';
import type { CheckpointStore } from '../store/checkpoint-store.js';
import type { MemoryStore } from '../store/memory-store.js';
import type { AnyTool } from '../tools/tool.js';
import { AgentError } from './agent-error.js';
import type { BudgetLimits } from './budget.js';
import type { LoopGuardOptions } from './loop-guard.js';
import type { PriceTable } from './price-table.js';

/** What `defineAgent` takes. Everything but `name`, `model` and `system` has a default. */
export interface AgentSpec extends GovernanceSpec {
  /** The agent type: its events, checkpoints and subagent ceilings are keyed by it. */
  readonly name: string;
  readonly model: ModelClient;
  /** Tried in order when the model fails past its own failure handling; the agent is degraded. */
  readonly fallbacks?: readonly ModelClient[];
  readonly system: string;
  readonly tools?: readonly AnyTool[];
  /** Budgets per task; `steps` defaults to 50 so a step ceiling always exists. */
  readonly limits?: BudgetLimits;
  /** Prices per model name, for the `costUsd` budget. warden ships none. */
  readonly prices?: PriceTable;
  /** The model's context window in tokens; default 128 000. */
  readonly contextWindow?: number;
  readonly compaction?: Partial<CompactionOptions> | false;
  readonly guard?: Partial<LoopGuardOptions>;
  /**
   * Where the agent's durable state lives: checkpoints, memory, the effect journal and the audit
   * log all default to this store's (a field given on its own wins). Without it, and without
   * those fields, everything is in memory, owned by this definition: it survives restarts of the
   * agent, not of the node.
   */
  readonly store?: AgentStore;
  /** Default: the `store`'s, else an in-memory store owned by this definition. */
  readonly checkpoints?: CheckpointStore;
  /** Where `offload` compaction writes and `recall` reads; default the `store`'s, else in memory. */
  readonly memory?: MemoryStore;
  readonly maxOutputTokens?: number;
  readonly subagents?: SubagentLimits;
}

export interface SubagentLimits {
  /** Subagents of one type running at once under one agent; default 4. */
  readonly perType?: number;
  /** Subagents running at once in the whole tree of this agent; default 16. */
  readonly perTree?: number;
}

export const AGENT_DEFAULTS = Object.freeze({
  steps: 50,
  contextWindow: 128_000,
  maxOutputTokens: 4096,
  subagentsPerType: 4,
  subagentsPerTree: 16,
});

/** The spec with defaults filled in and every field checked. */
export interface ResolvedAgentSpec {
  readonly name: string;
  readonly models: readonly ModelClient[];
  readonly system: string;
  readonly tools: ReadonlyMap<string, AnyTool>;
  readonly limits: BudgetLimits;
  readonly prices: PriceTable;
  readonly contextWindow: number;
  readonly compaction: CompactionOptions | false;
  readonly guard: Partial<LoopGuardOptions>;
  readonly maxOutputTokens: number;
  readonly perType: number;
  readonly perTree: number;
}

export function resolveAgentSpec(spec: AgentSpec): ResolvedAgentSpec {
  if (typeof spec !== 'object' || spec === null) invalid('spec', spec, 'an object');
  if (typeof spec.name !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(spec.name)) {
    invalid('name', spec.name, '1-64 of [A-Za-z0-9_.-]');
  }
  const models = [spec.model, ...(spec.fallbacks ?? [])];
  models.forEach((m, i) => {
    if (typeof m?.generate !== 'function')
      invalid(i === 0 ? 'model' : `fallbacks.${i - 1}`, m, 'a ModelClient');
  });
  if (typeof spec.system !== 'string') invalid('system', spec.system, 'a string');
  if (spec.store !== undefined && typeof spec.store?.checkpoints?.commit !== 'function') {
    invalid('store', spec.store, 'an AgentStore');
  }
  const tools = new Map<string, AnyTool>();
  for (const tool of spec.tools ?? []) {
    if (tools.has(tool.name)) invalid('tools', tool.name, 'unique tool names');
    tools.set(tool.name, tool);
  }
  const limits = { steps: AGENT_DEFAULTS.steps, ...spec.limits };
  for (const [key, value] of Object.entries(limits)) {
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
      invalid(`limits.${key}`, value, 'a number >= 0');
    }
  }
  const contextWindow = positive(
    'contextWindow',
    spec.contextWindow ?? AGENT_DEFAULTS.contextWindow,
  );
  const compaction =
    spec.compaction === false ? false : { ...COMPACTION_DEFAULTS, ...spec.compaction };
  if (compaction !== false && !(compaction.threshold > 0 && compaction.threshold < 1)) {
    invalid('compaction.threshold', compaction.threshold, 'a number in (0, 1)');
  }
  return {
    name: spec.name,
    models,
    system: spec.system,
    tools,
    limits,
    prices: spec.prices ?? {},
    contextWindow,
    compaction,
    guard: spec.guard ?? {},
    maxOutputTokens: positive(
      'maxOutputTokens',
      spec.maxOutputTokens ?? AGENT_DEFAULTS.maxOutputTokens,
    ),
    perType: positive(
      'subagents.perType',
      spec.subagents?.perType ?? AGENT_DEFAULTS.subagentsPerType,
    ),
    perTree: positive(
      'subagents.perTree',
      spec.subagents?.perTree ?? AGENT_DEFAULTS.subagentsPerTree,
    ),
  };
}

function positive(field: string, value: unknown): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value > 0)) {
    invalid(field, value, 'an integer > 0');
  }
  return value as number;
}

function invalid(field: string, value: unknown, expected: string): never {
  throw new AgentError(
    'ERR_INVALID_OPTION',
    `invalid agent ${field}: ${String(value)} (expected ${expected})`,
    { field },
  );
}
