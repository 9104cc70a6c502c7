import { randomUUID } from 'node:crypto';
import {
  type ActorContext,
  isWardenError,
  type Pid,
  Supervisor,
  type SupervisorSpec,
} from '@warden/core';
import { SpawnOnceGuard } from '@warden/resilience';
import { CapabilitySet } from '../governance/capability-set.js';
import type { InheritedGovernance } from '../governance/governance.js';
import type { AgentResult } from '../store/checkpoint.js';
import type { SpawnAgentOptions } from '../tools/tool.js';
import { AgentError } from './agent-error.js';
import { startOnHost } from './agent-host.js';
import { AWAIT } from './agent-protocol.js';
import type { Run } from './agent-run.js';
import type { ResolvedAgentSpec } from './agent-spec.js';
import type { AgentArgs } from './define-agent.js';
import { readResult } from './remote-result.js';

/** The subagent ceiling of a whole tree, shared by reference by every agent of it on the node. */
export interface TreeCounter {
  readonly max: number;
  live: number;
}

export function newTreeCounter(max: number): TreeCounter {
  return { max, live: 0 };
}

/** What `spawnAgent` needs to know of a subagent's definition. */
interface SubagentDefinition {
  readonly agentName: string;
}

/** What the subagent supervisor's start function gets for one subagent. */
interface SubagentStart {
  readonly agent: unknown;
  /** Set when the subagent runs on another node's agent host. */
  readonly host: Pid | undefined;
  readonly args: AgentArgs;
}

/** A joiner that finds the subagent already gone tries again this often before giving up. */
const MAX_ATTEMPTS = 3;

/**
 * An agent's subagents: started under a supervisor of the agent's own (linked to it, so they go
 * when it goes), through spawn-once keyed by the logical task. Asking twice for a key that runs
 * joins the running subagent and waits for the same result; a key whose run has finished answers
 * its checkpointed result without running again (the key is the subagent's thread id). A spawn
 * over the ceiling of its type, of the tree, or of the `subagents` budget is refused, typed and
 * counted, never queued without bound.
 */
export class Subagents {
  #supervisor: Promise<Pid> | undefined;
  #guard: SpawnOnceGuard | undefined;
  /** Subagents started by this agent and not yet answered, per agent type. */
  readonly #live = new Map<string, number>();
  /** Keys whose start this agent has in flight: a second request for one will join it. */
  readonly #starting = new Set<string>();
  /** What a subagent starts with from its parent: at most the parent's rights. */
  inherited: InheritedGovernance | undefined;

  constructor(
    private readonly ctx: ActorContext,
    private readonly spec: ResolvedAgentSpec,
    private readonly tree: TreeCounter,
    private readonly onSpawn: (refused: boolean) => void,
  ) {}

  async spawn(
    run: Run,
    key: string,
    agent: unknown,
    task: string,
    signal: AbortSignal,
    options: SpawnAgentOptions = {},
  ): Promise<AgentResult> {
    const definition = agent as SubagentDefinition;
    if (typeof definition?.agentName !== 'string') {
      throw new AgentError('ERR_INVALID_OPTION', 'spawnAgent needs an agent made by defineAgent', {
        field: 'agent',
      });
    }
    const guard = await this.#guardFor();
    for (let attempt = 1; ; attempt++) {
      const { pid, started } = await this.#start(
        run,
        guard,
        key,
        agent,
        definition.agentName,
        signal,
        options.host,
      );
      try {
        // The one who started it hands it the task; a joiner waits for the same result.
        const threadId = options.ifFinished === 'run-again' ? `${key}#${randomUUID()}` : key;
        const request = started ? { task, threadId } : AWAIT;
        const answer = await this.ctx.call<unknown>(pid, request, {
          timeout: Number.POSITIVE_INFINITY,
          signal,
        });
        // A peer's answer is checked before its figures are charged: it is data from the wire.
        const result = options.host === undefined ? (answer as AgentResult) : readResult(answer);
        // What a subagent spends counts against its parent: budgets hold for the whole subtree.
        if (started) run.meter.chargeSubtree(result.spent);
        return result;
      } catch (error) {
        // It finished (and stopped) between the join and the wait: its checkpoint answers.
        const gone = isWardenError(error, 'ERR_NOPROC') || isWardenError(error, 'ERR_EXIT');
        if (
          !gone ||
          attempt >= MAX_ATTEMPTS ||
          (isWardenError(error, 'ERR_EXIT') && error.reason !== 'normal')
        ) {
          throw error;
        }
      } finally {
        // The subagent ends once it has answered (or failed): its place in the tree is free.
        if (started) this.#take(definition.agentName, -1);
      }
    }
  }

  async #start(
    run: Run,
    guard: SpawnOnceGuard,
    key: string,
    agent: unknown,
    type: string,
    signal: AbortSignal,
    host: Pid | undefined,
  ): Promise<{ readonly pid: Pid; readonly started: boolean }> {
    // A slot is reserved before the start is awaited, so concurrent spawns never pass a ceiling
    // together; it is given back if this call only joins, or the start fails.
    let reserved = false;
    if (guard.running(key) === undefined && !this.#starting.has(key)) {
      // Counted by answers, not by exits: a subagent that has answered is done, even if its
      // process has not yet been seen to end.
      if ((this.#live.get(type) ?? 0) >= this.spec.perType) {
        this.#refuse(`${type} runs ${this.spec.perType} subagents`);
      }
      if (this.tree.live >= this.tree.max) this.#refuse(`the tree runs ${this.tree.max} subagents`);
      try {
        run.meter.admit('subagents');
      } catch (error) {
        this.onSpawn(true);
        throw error;
      }
      this.#take(type, 1);
      this.#starting.add(key);
      reserved = true;
    }
    let result: Awaited<ReturnType<SpawnOnceGuard['spawnOnce']>>;
    try {
      result = await guard.spawnOnce(
        key,
        {
          extra: {
            agent,
            host,
            args: {
              exitWhenDone: true,
              tree: this.tree,
              ...(this.inherited === undefined ? {} : { governance: this.inherited }),
            },
          } satisfies SubagentStart,
        },
        { taskType: type, policy: 'join', signal },
      );
    } catch (error) {
      if (reserved) this.#take(type, -1);
      throw error;
    } finally {
      if (reserved) this.#starting.delete(key);
    }
    this.onSpawn(false);
    const started = result.outcome === 'started';
    if (started) run.meter.chargeSubagent();
    else if (reserved) this.#take(type, -1);
    return { pid: result.outcome === 'queued' ? result.running : result.pid, started };
  }

  /** Takes (1) or gives back (-1) a place of `type` and of the tree. */
  #take(type: string, n: 1 | -1): void {
    this.tree.live += n;
    this.#live.set(type, (this.#live.get(type) ?? 0) + n);
  }

  #refuse(why: string): never {
    this.onSpawn(true);
    throw new AgentError('ERR_SUBAGENT_CEILING', `subagent refused: ${why}`);
  }

  async #guardFor(): Promise<SpawnOnceGuard> {
    if (this.#supervisor === undefined) {
      const spec: SupervisorSpec = {
        strategy: 'simple_one_for_one',
        intensity: 3,
        period: 60_000,
        children: [
          {
            id: 'subagent',
            restart: 'temporary',
            start: (ctx: ActorContext, extra: unknown) => {
              const { agent, host, args } = extra as SubagentStart;
              if (host === undefined) return ctx.startLink(agent as never, { args });
              // On another node: its host starts it with this agent's rights as data, bounded
              // by its own ceiling; the supervisor links the pid it answers.
              const capabilities = args.governance?.capabilities ?? CapabilitySet.none();
              return startOnHost(ctx, host, (agent as SubagentDefinition).agentName, capabilities, {
                exitWhenDone: true,
              });
            },
          },
        ],
      };
      this.#supervisor = this.ctx.startLink(Supervisor, { args: spec }) as Promise<Pid>;
    }
    const supervisor = await this.#supervisor;
    this.#guard ??= new SpawnOnceGuard({ node: this.ctx.node, supervisor });
    return this.#guard;
  }
}
