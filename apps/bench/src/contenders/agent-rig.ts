import type { AgentTally } from './agent-script.js';

/** How a rig's model behaves: its latency on the real clock, and who hears of each call. */
export interface AgentRigOptions {
  /** Waited before every model answer; 0 answers without a timer. */
  readonly latencyMs: number;
  /** How many agent processes a warden rig spawns (tasks go round them); peers have none. */
  readonly agents: number;
  /** Told of every model call as it starts, with the thread it belongs to. */
  readonly onModelCall?: (thread: number) => void;
}

/**
 * One framework set up to run the scripted 10-step task (see `agent-script.ts`): its model
 * adapter, the `lookup` tool, its in-memory checkpointing. Built outside the measured region.
 */
export interface AgentRig {
  readonly tally: AgentTally;
  /** Runs the task on thread `thread` (new to this rig) to its end; resolves with the answer. */
  run(thread: number): Promise<string>;
  /**
   * Forgets what the model adapter logged of its calls (warden's scripted model keeps every
   * request it served): a test double's log, not the framework's state, so memory readings drop
   * it first. Rigs whose adapter logs nothing leave it out.
   */
  dropModelLog?(): void;
  close(): Promise<void>;
}

export type MakeAgentRig = (options: AgentRigOptions) => AgentRig | Promise<AgentRig>;
