import type { Envelope, Transport } from '@warden/core';

/**
 * Wraps a node's transport so that every envelope the node receives is also pushed to `into`, in
 * arrival order: what a remote operation costs on the wire can then be counted from the receiving
 * side, whatever the transport (decision 0013 counts the envelopes of a call). Everything else
 * passes through untouched.
 *
 * @example
 * const received: Envelope[] = [];
 * const node = createNode({ name: 'b', clock, transport: recordInbound(net.transport(), received) });
 */
export function recordInbound(transport: Transport, into: Envelope[]): Transport {
  return {
    attach: (host) =>
      transport.attach({
        name: host.name,
        incarnation: host.incarnation,
        clock: host.clock,
        receive: (envelope) => {
          into.push(envelope as Envelope);
          host.receive(envelope);
        },
        receiveMessage: (to, message, cast, trace) => {
          into.push(cast ? { kind: 'cast', to, message } : { kind: 'send', to, message });
          host.receiveMessage(to, message, cast, trace);
        },
        undeliverable: (envelope) => host.undeliverable(envelope),
        nodeUp: (node) => host.nodeUp(node),
        nodeDown: (node) => host.nodeDown(node),
      }),
    deliver: (envelope) => transport.deliver(envelope),
    isConnected: (node) => transport.isConnected(node),
    nodes: () => transport.nodes(),
    detach: () => transport.detach(),
  };
}
