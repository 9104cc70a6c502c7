import { z } from 'zod';
import type { MemoryStore } from '../store/memory-store.js';
import { defineTool, type Tool, type ToolContext } from './tool.js';

const input = z.object({
  query: z.string().max(500).describe('Words to look for in what was moved to memory'),
  limit: z.number().int().min(1).max(20).optional(),
});

/**
 * The recall tool but its `run`, defined (and checked) once: an agent definition makes its own
 * with its memory store, and defining it again each time (the checks, the frozen spec) was most
 * of what a definition cost beside the spec's own checks.
 */
const RECALL = defineTool({
  name: 'recall',
  description:
    'Reads earlier parts of this task that were moved out of the conversation to save space.',
  effect: 'read',
  idempotent: true,
  input,
  run: (): unknown => {
    throw new Error('recall runs with a memory store (recallTool)');
  },
});

/**
 * The built-in tool that reads what `offload` compaction moved out of the context, for the
 * calling agent's own thread only. An agent gets it whenever its compaction may offload.
 */
export function recallTool(memory: MemoryStore): Tool<z.infer<typeof input>, unknown> {
  return Object.freeze({
    ...RECALL,
    run: async ({ query, limit }: z.infer<typeof input>, ctx: ToolContext) => {
      const found = await memory.search(ctx.threadId, query, limit ?? 5);
      return found.length === 0 ? 'nothing found' : found.map((e) => e.text).join('\n---\n');
    },
  });
}
