import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?([^;]*?)\s+from\s+'(\.[^']+)'/g;

/** Relative imports of every file; `valuesOnly` leaves out imports of types alone. */
function graph(files: string[], valuesOnly: boolean): Map<string, string[]> {
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const targets: string[] = [];
    for (const [, typeOnly, names = '', spec = ''] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      if (valuesOnly && typeOnly !== undefined) continue;
      const list = names.trim();
      if (valuesOnly && list.startsWith('{')) {
        const items = list
          .slice(1, list.lastIndexOf('}'))
          .split(',')
          .map((n) => n.trim());
        if (items.filter((n) => n !== '').every((n) => n.startsWith('type '))) continue;
      }
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (known.has(target)) targets.push(target);
    }
    edges.set(file, targets);
  }
  return edges;
}

/** Tarjan's strongly connected components of more than one file: the import cycles. */
function cycles(edges: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(relative(SRC, w));
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return found.sort((a, b) => b.length - a.length);
}

describe('the import graph of the core', () => {
  const files = sources(SRC);

  it('has no cycle of value imports', () => {
    expect(cycles(graph(files, true))).toEqual([]);
  });

  it('keeps its largest type-level cycle to the engine: 13 files under internal/ (it was 21)', () => {
    const [largest = []] = cycles(graph(files, false));
    expect(largest.length).toBeLessThanOrEqual(13);
    expect(largest.every((f) => f.startsWith('internal/'))).toBe(true);
  });
});
