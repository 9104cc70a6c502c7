import type { Node } from '../node.js';
import type { NodeCore } from './node-core.js';

const cores = new WeakMap<Node, NodeCore>();

/** Lets `@warden/core/testing` reach a node's engine without widening the public `Node`. */
export function bindCore(node: Node, core: NodeCore): void {
  cores.set(node, core);
}

export function coreOf(node: Node): NodeCore {
  const core = cores.get(node);
  if (core === undefined) throw new Error('not a node made by createNode');
  return core;
}
