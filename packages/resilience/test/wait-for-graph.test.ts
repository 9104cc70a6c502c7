// Issue 5.4: pure cycle detection in a wait-for graph.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findAnyCycle, findCycle } from '../src/index.js';

const g = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

describe('findCycle', () => {
  it('finds a two-party deadlock', () => {
    expect(findCycle(g({ a: ['b'], b: ['a'] }), 'a')).toEqual(['a', 'b']);
  });

  it('finds a longer cycle and lists it in wait order', () => {
    expect(findCycle(g({ a: ['b'], b: ['c'], c: ['d', 'a'], d: [] }), 'a')).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('finds no cycle in a chain or a diamond', () => {
    expect(findCycle(g({ a: ['b'], b: ['c'] }), 'a')).toBeUndefined();
    expect(findCycle(g({ a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }), 'a')).toBeUndefined();
  });

  it('ignores a cycle that does not pass through the start', () => {
    expect(findCycle(g({ a: ['b'], b: ['c'], c: ['b'] }), 'a')).toBeUndefined();
    expect(findAnyCycle(g({ a: ['b'], b: ['c'], c: ['b'] }))).toEqual(['b', 'c']);
  });

  it('handles a long chain without recursion limits', () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 20_000; i++) edges[`n${i}`] = [`n${i + 1}`];
    edges.n20000 = ['n0'];
    expect(findCycle(g(edges), 'n0')).toHaveLength(20_001);
  });

  it('returns a real cycle whenever it returns one, and finds one in any graph with a back edge (property)', () => {
    const graphArb = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 })), {
        maxLength: 20,
      })
      .map((pairs) => {
        const m = new Map<string, string[]>();
        for (const [from, to] of pairs) m.set(`${from}`, [...(m.get(`${from}`) ?? []), `${to}`]);
        return m;
      });
    fc.assert(
      fc.property(graphArb, fc.integer({ min: 0, max: 7 }), (graph, start) => {
        const cycle = findCycle(graph, `${start}`);
        if (cycle === undefined) {
          // no path leads back to start: check by brute-force reachability
          const seen = new Set<string>();
          const todo = [...(graph.get(`${start}`) ?? [])];
          while (todo.length > 0) {
            const n = todo.pop() as string;
            expect(n).not.toBe(`${start}`);
            if (seen.has(n)) continue;
            seen.add(n);
            todo.push(...(graph.get(n) ?? []));
          }
          return;
        }
        expect(cycle[0]).toBe(`${start}`);
        for (let i = 0; i < cycle.length; i++) {
          const from = cycle[i] as string;
          const to = cycle[(i + 1) % cycle.length] as string;
          expect(graph.get(from)).toContain(to);
        }
      }),
    );
  });
});
