import { z } from 'zod';
import type { ToolResultPart } from '../../src/model/message.js';
import type { ScriptedModel } from '../../src/testing/scripted-model.js';
import { defineTool } from '../../src/tools/tool.js';

/** Every run of a tool: its input and the idempotency key the runtime handed it. */
export interface Ran {
  readonly tool: string;
  readonly input: unknown;
  readonly key: string;
}

/** A read, a write and an irreversible tool that record each run in `ran`. */
export function opsTools(ran: Ran[] = []) {
  const readFile = defineTool({
    name: 'read_file',
    description: 'Reads a file',
    effect: 'read',
    input: z.object({ path: z.string() }),
    scope: ({ path }) => `fs:${path}`,
    run: ({ path }, ctx) => {
      ran.push({ tool: 'read_file', input: { path }, key: ctx.idempotencyKey });
      return `contents of ${path}`;
    },
  });
  const writeFile = defineTool({
    name: 'write_file',
    description: 'Writes a file',
    effect: 'write',
    input: z.object({ path: z.string(), text: z.string() }),
    scope: ({ path }) => `fs:${path}`,
    run: (input, ctx) => {
      ran.push({ tool: 'write_file', input, key: ctx.idempotencyKey });
      return 'written';
    },
  });
  const dropDatabase = defineTool({
    name: 'drop_database',
    description: 'Drops a database',
    effect: 'irreversible',
    input: z.object({ name: z.string() }),
    scope: ({ name }) => `db:${name}`,
    run: (input, ctx) => {
      ran.push({ tool: 'drop_database', input, key: ctx.idempotencyKey });
      return `dropped ${input.name}`;
    },
  });
  return { readFile, writeFile, dropDatabase, all: [readFile, writeFile, dropDatabase] };
}

/** The tool results the model was shown in its `index`-th request (default: its last). */
export function resultsSeen(model: ScriptedModel, index = -1): ToolResultPart[] {
  const request = model.calls.at(index)?.request;
  const last = request?.messages.at(-1);
  if (last?.role !== 'tool') {
    const tool = [...(request?.messages ?? [])].reverse().find((m) => m.role === 'tool');
    return (tool?.content ?? []) as ToolResultPart[];
  }
  return last.content as ToolResultPart[];
}
