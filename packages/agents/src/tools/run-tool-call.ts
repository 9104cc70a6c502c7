import { type Clock, withoutStack } from '@warden/core';
import { isGovernanceError } from '../governance/governance-error.js';
import type { ToolCallPart, ToolResultPart } from '../model/message.js';
import { runWithDeadline } from './run-with-deadline.js';
import type { TaskSignal } from './task-signal.js';
import type { AnyTool, ToolContext } from './tool.js';
import { ToolError } from './tool-error.js';

/** How much of a tool's output goes back into the context, in characters of its JSON form. */
export const MAX_TOOL_OUTPUT_CHARS = 20_000;

export interface ToolCallOutcome {
  readonly result: ToolResultPart;
  /** Set when the call did not produce a result; the model sees it as the result. */
  readonly error: ToolError | undefined;
  /**
   * The text a token count reads of the result's output (the output if it is a string, else its
   * JSON), when the runner made it to bound the output: so the context does not make it again.
   */
  readonly text?: string | undefined;
}

export interface ToolCallEnv {
  readonly clock: Clock;
  /**
   * The agent's task signal: aborting it aborts the call. An `AbortSignal`, or anything that
   * says whether it aborted and takes a listener (`TaskSignal`).
   */
  readonly signal: TaskSignal;
  readonly maxOutputChars?: number;
  /** Everything of the `ToolContext` but what the runner sets itself. */
  readonly context: Omit<ToolContext, 'signal' | 'deadline' | 'now' | 'callId'>;
  /**
   * The governance gate, between validation and `run`: given the tool, the validated input and
   * the execution, it runs it or throws the refusal (`ERR_PERMISSION_DENIED`).
   */
  readonly govern?: (
    tool: AnyTool,
    input: unknown,
    execute: () => Promise<unknown>,
  ) => Promise<unknown>;
}

/**
 * Runs one tool call the model made, as untrusted input: an unknown tool or arguments that fail
 * the schema never reach `run`; `run` gets the parsed input, an AbortSignal and a deadline on the
 * node's clock, and a call that outlives its timeout is abandoned (its signal aborted) with
 * `ERR_TOOL_TIMEOUT`. Whatever happens, the outcome is a `tool-result` part for the model: the
 * output (cut to `maxOutputChars`), or the error's code and message with `isError`.
 */
export async function runToolCall(
  tools: ReadonlyMap<string, AnyTool>,
  call: ToolCallPart,
  env: ToolCallEnv,
): Promise<ToolCallOutcome> {
  const tool = tools.get(call.name);
  if (tool === undefined) {
    return failed(call, new ToolError('ERR_UNKNOWN_TOOL', call.name, `unknown tool ${call.name}`));
  }
  if (call.inputError !== undefined) {
    return failed(
      call,
      new ToolError(
        'ERR_INVALID_TOOL_INPUT',
        call.name,
        `arguments for ${call.name} are not JSON: ${call.inputError}`,
      ),
    );
  }
  const parsed = tool.input.safeParse(call.input);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
      .join('; ');
    return failed(
      call,
      new ToolError(
        'ERR_INVALID_TOOL_INPUT',
        call.name,
        `invalid input for ${call.name}: ${issues}`,
      ),
    );
  }
  const max = env.maxOutputChars ?? MAX_TOOL_OUTPUT_CHARS;
  // The output's text, made once: to bound the output here, and for the context's count.
  let text: string | undefined;
  let bounded: unknown;
  const bound = (output: unknown): unknown => {
    const value = boundOutput(output, max);
    text = lastText;
    bounded = value;
    return value;
  };
  const execute = () => runWithDeadline(tool, parsed.data, call.callId, env, bound);
  try {
    const output =
      env.govern === undefined ? await execute() : await env.govern(tool, parsed.data, execute);
    // The text is the output's when the output is what `run` gave (a gate that answers a
    // resumed call from its journal gives what was stored, and `run` never ran).
    const known = output === bounded ? text : undefined;
    return { result: resultPart(call, output), error: undefined, text: known };
  } catch (thrown) {
    // Nobody approved in time and the agent is set to exit on it: that ends the agent.
    if (isGovernanceError(thrown, 'ERR_APPROVAL_TIMEOUT')) throw thrown;
    const error = thrown instanceof ToolError ? thrown : wrapped(call.name, thrown);
    return failed(call, error);
  }
}

/**
 * What a tool threw, as the call's `ERR_TOOL_FAILED`: made without a stack, since its stack
 * would name only the runtime's frames here; what the tool threw, its `cause`, has the tool's.
 */
function wrapped(tool: string, thrown: unknown): ToolError {
  return withoutStack(
    () => new ToolError('ERR_TOOL_FAILED', tool, `${tool} failed: ${messageOf(thrown)}`, thrown),
  );
}

/** The text `boundOutput` made last (read at once by its caller; no object per call). */
let lastText: string | undefined;

/**
 * The output as the context gets it: `null` for nothing, a string or a JSON text cut to `max`
 * characters, else the value itself; `lastText` is then the text a token count reads of it.
 */
function boundOutput(output: unknown, max: number): unknown {
  if (output === undefined) {
    lastText = 'null';
    return null;
  }
  if (typeof output === 'string') {
    lastText = output.length > max ? cut(output, max) : output;
    return lastText;
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(output);
  } catch {
    lastText = cut(String(output), max);
    return lastText;
  }
  const written = json ?? 'null';
  if (written.length > max) {
    lastText = cut(written, max);
    return lastText;
  }
  lastText = json ?? '';
  return output;
}

function cut(text: string, max: number): string {
  return `${text.slice(0, max)}... [cut: ${text.length - max} more characters]`;
}

function failed(call: ToolCallPart, error: ToolError): ToolCallOutcome {
  return {
    result: { ...resultPart(call, { error: error.code, message: error.message }), isError: true },
    error,
  };
}

function resultPart(call: ToolCallPart, output: unknown): ToolResultPart {
  return { type: 'tool-result', callId: call.callId, name: call.name, output };
}

function messageOf(thrown: unknown): string {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return message.length > 500 ? `${message.slice(0, 500)}...` : message;
}
