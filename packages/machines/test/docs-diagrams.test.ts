// The statecharts drawn in docs/ are generated from the machines by toMermaid, and cannot drift
// from the code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentLifecycleMachine, breakerMachine, toMermaid } from '../src/index.js';

const DOCS = join(import.meta.dirname, '..', '..', '..', 'docs');
const MACHINES = { agentLifecycleMachine, breakerMachine } as const;

/** The mermaid blocks preceded by `<!-- generated: toMermaid(name) -->` in a doc. */
function generatedDiagrams(file: string): Map<string, string> {
  const text = readFileSync(join(DOCS, file), 'utf8');
  const found = new Map<string, string>();
  for (const m of text.matchAll(
    /<!-- generated: toMermaid\((\w+)\) -->\s*```mermaid\n([\s\S]*?)```/g,
  )) {
    found.set(m[1] as string, (m[2] as string).trimEnd());
  }
  return found;
}

describe('generated statechart diagrams', () => {
  it.each([
    ['agent-lifecycle.md', 'agentLifecycleMachine'],
    ['patterns/circuit-breaker.md', 'breakerMachine'],
  ] as const)('%s shows toMermaid(%s) exactly', (file, name) => {
    const diagram = generatedDiagrams(file).get(name);
    expect(diagram, `no generated diagram of ${name} in docs/${file}`).toBeDefined();
    expect(diagram, `docs/${file} is stale: replace its diagram with toMermaid(${name})`).toBe(
      toMermaid(MACHINES[name]),
    );
  });

  it('draws every state, every event and every guard of the lifecycle machine', () => {
    const diagram = toMermaid(agentLifecycleMachine);
    for (const state of Object.keys(agentLifecycleMachine.root.states)) {
      expect(diagram).toContain(`--> ${state}`);
    }
    for (const event of ['agent.degrade [validLevel]', 'agent.observe [isDegraded]']) {
      expect(diagram).toContain(event);
    }
    expect(diagram).toContain('failed --> [*]');
    expect(diagram.split('\n')[1]).toBe('  [*] --> idle');
  });

  it('draws delayed transitions with their delay', () => {
    expect(toMermaid(breakerMachine)).toContain('open --> half_open: after openTimeout');
  });
});
