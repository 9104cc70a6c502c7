import type { ToolChoice, ToolSpec } from '../model-request.js';

export interface AnthropicToolsPart {
  readonly tools?: readonly unknown[];
  readonly tool_choice?: unknown;
}

/** Our tools and tool choice as the Messages API's `tools` and `tool_choice`. */
export function prepareAnthropicTools(
  tools: readonly ToolSpec[] | undefined,
  choice: ToolChoice | undefined,
): AnthropicToolsPart {
  if (tools === undefined || tools.length === 0) return {};
  const wire = tools.map((tool) => ({
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    input_schema: tool.inputSchema,
  }));
  if (choice === undefined) return { tools: wire };
  let toolChoice: unknown;
  if (choice === 'auto') toolChoice = { type: 'auto' };
  else if (choice === 'required') toolChoice = { type: 'any' };
  else if (choice === 'none') toolChoice = { type: 'none' };
  else toolChoice = { type: 'tool', name: choice.tool };
  return { tools: wire, tool_choice: toolChoice };
}
