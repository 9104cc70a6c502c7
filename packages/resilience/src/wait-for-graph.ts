/**
 * A wait-for graph: each waiter maps to the parties it waits for. A cycle is a deadlock among
 * exclusive resources: every member waits for the next and none can move.
 */
export type WaitForGraph = ReadonlyMap<string, Iterable<string>>;

/**
 * Finds a cycle through `start`: the list `[start, a, b, ...]` where each waits for the next and
 * the last waits for `start`; or undefined. Pure, iterative (no recursion limit), and it visits
 * each node at most once, so it is O(nodes + edges).
 *
 * @example
 * findCycle(new Map([['a', ['b']], ['b', ['a']]]), 'a'); // ['a', 'b']
 */
export function findCycle(graph: WaitForGraph, start: string): string[] | undefined {
  const visited = new Set<string>([start]);
  const path: string[] = [start];
  const stack: Iterator<string>[] = [iterate(graph, start)];
  while (stack.length > 0) {
    const step = (stack[stack.length - 1] as Iterator<string>).next();
    if (step.done === true) {
      stack.pop();
      path.pop();
      continue;
    }
    const next = step.value;
    if (next === start) return [...path];
    if (visited.has(next)) continue;
    visited.add(next);
    path.push(next);
    stack.push(iterate(graph, next));
  }
  return undefined;
}

/** Finds any cycle in the graph (for assertions and diagnostics), or undefined. */
export function findAnyCycle(graph: WaitForGraph): string[] | undefined {
  for (const node of graph.keys()) {
    const cycle = findCycle(graph, node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

function iterate(graph: WaitForGraph, node: string): Iterator<string> {
  return (graph.get(node) ?? [])[Symbol.iterator]();
}
