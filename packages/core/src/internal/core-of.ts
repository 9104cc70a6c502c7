import type { Node } from '../node.js';
import type { NodeCore } from './node-core.js';

/**
 * Reads a node's engine: set once by the node's class, which keeps the engine in a private
 * field. Not a `WeakMap` from node to engine: a scavenge of the young generation keeps a weak
 * map's values alive, so every short-lived node (one per test or per simulated run) had its
 * whole engine copied and promoted, to be freed only by a full collection.
 */
let read: ((node: Node) => NodeCore | undefined) | undefined;

/** Called by the node class, once. */
export function bindCoreReader(reader: (node: Node) => NodeCore | undefined): void {
  read = reader;
}

/** Lets `@warden/core/testing` reach a node's engine without widening the public `Node`. */
export function coreOf(node: Node): NodeCore {
  const core = read?.(node);
  if (core === undefined) throw new Error('not a node made by createNode');
  return core;
}
