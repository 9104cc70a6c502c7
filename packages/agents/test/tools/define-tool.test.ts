import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isAgentError } from '../../src/agent/agent-error.js';
import { defineTool } from '../../src/tools/tool.js';

const input = z.object({ id: z.number().int().describe('The ticket id') });

describe('defineTool', () => {
  it('shows the model the JSON Schema of its input schema', () => {
    const tool = defineTool({
      name: 'read',
      description: 'd',
      effect: 'read',
      input,
      run: () => 1,
    });
    expect(tool.spec.inputSchema).toMatchObject({
      type: 'object',
      properties: { id: { type: 'integer', description: 'The ticket id' } },
      required: ['id'],
    });
  });

  it('converts one input schema once, however many tools are defined on it, and freezes it', () => {
    const a = defineTool({ name: 'a', description: 'd', effect: 'read', input, run: () => 1 });
    const b = defineTool({ name: 'b', description: 'd', effect: 'write', input, run: () => 2 });
    expect(b.spec.inputSchema).toBe(a.spec.inputSchema);
    expect(Object.isFrozen(a.spec.inputSchema)).toBe(true);
    const properties = a.spec.inputSchema.properties as Record<string, object>;
    expect(Object.isFrozen(properties.id)).toBe(true);
  });

  it('refuses an input with no JSON Schema form, every time it is asked', () => {
    const bad = z.custom<string>(() => true);
    for (let i = 0; i < 2; i++) {
      let caught: unknown;
      try {
        defineTool({ name: 'bad', description: 'd', effect: 'read', input: bad, run: () => 1 });
      } catch (error) {
        caught = error;
      }
      expect(isAgentError(caught, 'ERR_INVALID_OPTION')).toBe(true);
    }
  });
});
