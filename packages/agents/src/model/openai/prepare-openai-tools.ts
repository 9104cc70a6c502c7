import type { ToolChoice, ToolSpec } from '../model-request.js';

export interface OpenAIToolsPart {
  readonly tools?: readonly unknown[];
  readonly tool_choice?: unknown;
}

/** Our tools and tool choice as chat completions' `tools` and `tool_choice`. */
export function prepareOpenAITools(
  tools: readonly ToolSpec[] | undefined,
  choice: ToolChoice | undefined,
): OpenAIToolsPart {
  if (tools === undefined || tools.length === 0) return {};
  const wire = tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parameters: tool.inputSchema,
    },
  }));
  if (choice === undefined) return { tools: wire };
  const toolChoice =
    typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.tool } };
  return { tools: wire, tool_choice: toolChoice };
}
