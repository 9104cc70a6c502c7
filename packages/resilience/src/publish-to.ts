import type { Node } from '@warden/core';
import type { ResilienceObserver } from './events.js';

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
  return (event) => {
    node.publish(event);
    also?.(event);
  };
}
