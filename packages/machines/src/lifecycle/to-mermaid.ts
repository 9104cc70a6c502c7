import type { AnyStateMachine } from 'xstate';

type AnyStateNode = AnyStateMachine['root'];
type AnyTransition = AnyStateNode['transitions'] extends Map<string, (infer T)[]> ? T : never;

/**
 * The statechart of `machine` as a Mermaid `stateDiagram-v2`, walked from the machine definition
 * itself (states, `on`, `after`, `always`, guards), so a diagram built with it cannot drift from
 * the code. Each transition is one line `source --> target: event [guard]`; a transition without
 * a target (actions only) is drawn as a loop. Compound states nest; parallel regions are split
 * with `--`.
 */
export function toMermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  writeChildren(machine.root, lines, '  ');
  return lines.join('\n');
}

function writeChildren(parent: AnyStateNode, lines: string[], indent: string): void {
  const children = Object.values(parent.states) as AnyStateNode[];
  if (children.length === 0) return;
  if (parent.type === 'parallel') {
    children.forEach((child, i) => {
      if (i > 0) lines.push(`${indent}--`);
      writeState(child, lines, indent);
    });
    return;
  }
  const initial = parent.initial?.target?.[0];
  if (initial !== undefined) lines.push(`${indent}[*] --> ${idOf(initial)}`);
  for (const child of children) writeState(child, lines, indent);
}

function writeState(node: AnyStateNode, lines: string[], indent: string): void {
  const id = idOf(node);
  if (Object.keys(node.states).length > 0) {
    lines.push(`${indent}state ${id} {`);
    writeChildren(node, lines, `${indent}  `);
    lines.push(`${indent}}`);
  }
  const delayed = new Map(node.after.map((t) => [t.eventType as string, t.delay]));
  for (const [eventType, transitions] of node.transitions) {
    const delay = delayed.get(eventType);
    const label = delay === undefined ? eventType : `after ${delayLabel(delay)}`;
    for (const t of transitions) lines.push(edge(node, t, label, indent));
  }
  for (const t of node.always ?? []) lines.push(edge(node, t, 'always', indent));
  if (node.type === 'final') lines.push(`${indent}${id} --> [*]`);
}

function edge(source: AnyStateNode, t: AnyTransition, event: string, indent: string): string {
  const targets = t.target ?? [source];
  const guard = t.guard === undefined ? '' : ` [${guardLabel(t.guard)}]`;
  return targets
    .map((target) => `${indent}${idOf(source)} --> ${idOf(target)}: ${event}${guard}`)
    .join('\n');
}

function idOf(node: AnyStateNode): string {
  return node.path.join('_');
}

function guardLabel(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') return guard.name || 'guard';
  if (typeof guard === 'object' && guard !== null && 'type' in guard) {
    return String((guard as { type: unknown }).type);
  }
  return 'guard';
}

function delayLabel(delay: unknown): string {
  if (typeof delay === 'number') return `${delay} ms`;
  if (typeof delay === 'string') return delay;
  return 'delay';
}
