import type { Envelope, Transport, TransportHost } from '@warden/core';
import type { SimClock } from './sim-clock.js';

/** How long envelopes from one node to another are held now (extra latency), in ms. */
export type LinkDelay = (from: string, to: string) => number;

interface Line {
  /** When the last held envelope is released: later ones never overtake it (per-pair FIFO). */
  lastRelease: number;
  held: number;
  /** Bumped when the connection drops: what was held for the old connection is lost with it. */
  epoch: number;
}

/**
 * A transport over another (the in-memory network) that holds envelopes on a link for a while:
 * a slow or congested link. It keeps warden's delivery contract, the one a TCP connection gives:
 * per sender-receiver order is preserved, nothing is duplicated, and an envelope is lost only
 * with its connection (reported through `undeliverable`, as the node expects).
 */
export function faultTransport(inner: Transport, clock: SimClock, delay: LinkDelay): Transport {
  let host: TransportHost | undefined;
  const lines = new Map<string, Line>();
  const line = (to: string): Line => {
    let l = lines.get(to);
    if (l === undefined) {
      l = { lastRelease: 0, held: 0, epoch: 0 };
      lines.set(to, l);
    }
    return l;
  };

  return {
    attach(h) {
      host = h;
      // The host's name, incarnation and clock never change: copied, not getters (an object
      // literal with getters, made per run, survived every scavenge and was promoted).
      const wrapped: TransportHost = {
        name: h.name,
        incarnation: h.incarnation,
        clock: h.clock,
        receive: (e) => h.receive(e),
        receiveMessage: (to, m, cast, trace) => h.receiveMessage(to, m, cast, trace),
        undeliverable: (e) => h.undeliverable(e),
        nodeUp: (n) => h.nodeUp(n),
        nodeDown: (n) => {
          const l = lines.get(n);
          if (l !== undefined) l.epoch++;
          h.nodeDown(n);
        },
      };
      inner.attach(wrapped);
    },
    deliver(envelope: Envelope) {
      const self = host;
      if (self === undefined) return inner.deliver(envelope);
      const to = envelope.to.node;
      const ms = delay(self.name, to);
      const l = lines.get(to);
      if (ms <= 0 && (l === undefined || l.held === 0)) return inner.deliver(envelope);
      if (!inner.isConnected(to)) return false;
      const held = line(to);
      const release = Math.max(held.lastRelease, clock.now() + Math.max(0, ms));
      held.lastRelease = release;
      held.held++;
      const epoch = held.epoch;
      clock.setTimer(release - clock.now(), () => {
        held.held--;
        const delivered = held.epoch === epoch ? inner.deliver(envelope) : false;
        if (delivered !== true) self.undeliverable(envelope);
      });
      return true;
    },
    isConnected: (node) => inner.isConnected(node),
    nodes: () => inner.nodes(),
    detach: () => inner.detach(),
  };
}
