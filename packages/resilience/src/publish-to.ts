import type { Node } from '@warden/core';
import type { ResilienceObserver } from './events.js';
import { checkFunction, invalidOption } from './internal/check.js';

/**
 * An observer that forwards every decision of a piece into a node's event stream (as core's
 * `published` event, through `node.publish`), so dashboards and traces that watch the node with
 * `node.inspect` see the retries, sheds, denials and degradations beside spawns and exits.
 * `also` receives each event too. `node.publish` builds nothing while nobody observes the node.
 *
 * @example
 * const policy = retry({ clock: node.clock, observer: publishTo(node) });
 */
export function publishTo(
  node: Pick<Node, 'publish'>,
  also?: ResilienceObserver,
): ResilienceObserver {
  if (typeof (node as { publish?: unknown } | null | undefined)?.publish !== 'function') {
    throw invalidOption('node', node, 'a Node (with publish)');
  }
  if (also !== undefined) checkFunction('also', also);
  return (event) => {
    node.publish(event);
    also?.(event);
  };
}
