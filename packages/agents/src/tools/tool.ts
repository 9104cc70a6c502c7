import type { Node, Pid } from '@warden/core';
import { z } from 'zod';
import { AgentError } from '../agent/agent-error.js';
import type { ToolSpec } from '../model/model-request.js';

/** What a tool may do to the world; governance gates `write` and `irreversible` calls. */
export type Effect = 'read' | 'write' | 'irreversible';

export const EFFECTS: readonly Effect[] = ['read', 'write', 'irreversible'];

/** What `run` gets besides its validated input. */
export interface ToolContext {
  /** Aborted when the call times out, the task is cancelled or the agent dies. */
  readonly signal: AbortSignal;
  /** When (node clock, ms) the call times out. */
  readonly deadline: number;
  now(): number;
  /**
   * Derived by the runtime from the run, the step, the call's position and its canonical
   * arguments (never from the model's call id): the same call resumed gets the same key, so a
   * tool that passes it to its service makes a retry harmless.
   */
  readonly idempotencyKey: string;
  readonly callId: string;
  readonly node: Node;
  /** The agent process making the call. */
  readonly agent: Pid;
  /** The thread (run) the call belongs to. */
  readonly threadId: string;
  /**
   * Runs a subagent for a logical task key and resolves with its result: starts it, or joins
   * the one already running for the key. By default a key whose run has finished answers its
   * result again without running (a replayed plan never redoes finished work); a recurring task
   * passes `ifFinished: 'run-again'`.
   */
  spawnAgent(
    key: string,
    agent: unknown,
    task: string,
    options?: SpawnAgentOptions,
  ): Promise<AgentResultLike>;
}

export interface SpawnAgentOptions {
  /** Default `answer`: a finished key is answered from its checkpoint; `run-again` starts anew. */
  readonly ifFinished?: 'answer' | 'run-again';
  /**
   * The agent host (`agentHost`) of another node to run the subagent on. It holds at most this
   * agent's capabilities there too, bounded again by that host's ceiling.
   */
  readonly host?: Pid;
}

/** What a subagent answers (the `AgentResult` of the agent runtime). */
export interface AgentResultLike {
  readonly threadId: string;
  readonly outcome: string;
  readonly text: string;
}

export interface ToolDefinition<I, O> {
  /** What the model calls it: 1-64 letters, digits, `_` or `-`. */
  readonly name: string;
  readonly description: string;
  /** One schema, two uses: it validates the model's arguments and its JSON Schema is what the model sees. */
  readonly input: z.ZodType<I>;
  readonly effect: Effect;
  /** True only if running it twice with the same input and key has the effect of running it once. */
  readonly idempotent?: boolean;
  /** Milliseconds on the node's clock; default 60 000. */
  readonly timeout?: number;
  /** The resources a call touches (`db:tickets`, `fs:/srv/app/`), read from its input. */
  readonly scope?: (input: I) => string | readonly string[];
  run(input: I, ctx: ToolContext): O | Promise<O>;
}

export interface Tool<I = unknown, O = unknown>
  extends Required<Omit<ToolDefinition<I, O>, 'scope'>> {
  readonly scope: ((input: I) => string | readonly string[]) | undefined;
  /** The tool as the model sees it. */
  readonly spec: ToolSpec;
}

/** Any tool, whatever its input and output types (for lists of tools). */
// biome-ignore lint/suspicious/noExplicitAny: a tool list holds tools of every input type.
export type AnyTool = Tool<any, any>;

export const TOOL_DEFAULTS = Object.freeze({ timeout: 60_000, idempotent: false });

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Defines a tool. The definition is checked once, here: a bad name, effect or timeout is an
 * `ERR_INVALID_OPTION` naming the field, and a schema that has no JSON Schema form is refused
 * before any model sees it.
 *
 * @example
 * const readTicket = defineTool({
 *   name: 'read_ticket', description: 'Reads a support ticket by id', effect: 'read',
 *   input: z.object({ id: z.number().int() }),
 *   run: async ({ id }) => tickets.get(id),
 * });
 */
export function defineTool<I, O>(definition: ToolDefinition<I, O>): Tool<I, O> {
  const { name, description, input, effect } = definition;
  if (typeof name !== 'string' || !NAME.test(name)) invalid('name', name, '1-64 of [A-Za-z0-9_-]');
  if (typeof description !== 'string') invalid('description', description, 'a string');
  if (!EFFECTS.includes(effect)) invalid('effect', effect, EFFECTS.join(' | '));
  if (!(input instanceof z.ZodType)) invalid('input', input, 'a zod schema');
  if (typeof definition.run !== 'function') invalid('run', definition.run, 'a function');
  const timeout = definition.timeout ?? TOOL_DEFAULTS.timeout;
  if (!(typeof timeout === 'number' && timeout > 0)) invalid('timeout', timeout, 'a number > 0');
  const inputSchema = jsonSchemaOf(name, input);
  return Object.freeze({
    name,
    description,
    input,
    effect,
    idempotent: definition.idempotent ?? TOOL_DEFAULTS.idempotent,
    timeout,
    scope: definition.scope,
    run: definition.run,
    spec: Object.freeze({ name, description, inputSchema }),
  });
}

/**
 * The JSON Schema of each input schema, made once: a zod schema is immutable, and converting one
 * costs far more than the rest of a definition (an application that defines its agents per
 * request, or a simulation per run, defines the same tools again and again). Frozen all the way
 * down, since tools that share an input schema share its JSON form.
 */
const JSON_SCHEMAS = new WeakMap<z.ZodType, Readonly<Record<string, unknown>>>();

function jsonSchemaOf(name: string, input: z.ZodType): Readonly<Record<string, unknown>> {
  let schema = JSON_SCHEMAS.get(input);
  if (schema === undefined) {
    try {
      schema = deepFreeze(z.toJSONSchema(input, { io: 'input' }) as Record<string, unknown>);
    } catch (cause) {
      throw new AgentError('ERR_INVALID_OPTION', `tool ${name}: input has no JSON Schema form`, {
        field: 'input',
        cause,
      });
    }
    JSON_SCHEMAS.set(input, schema);
  }
  return schema;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function invalid(field: string, value: unknown, expected: string): never {
  throw new AgentError(
    'ERR_INVALID_OPTION',
    `invalid tool ${field}: ${String(value)} (expected ${expected})`,
    { field },
  );
}
