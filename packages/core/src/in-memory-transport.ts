import type { Envelope, Transport, TransportHost } from './transport.js';

interface InFlight {
  readonly from: TransportHost;
  readonly to: string;
  readonly link: string;
  readonly generation: number;
  readonly envelope: Envelope;
}

const RESOLVED = Promise.resolve();

/**
 * A network of nodes in one Node.js process, for tests and simulations. Every node attached to
 * it sees every other (a full mesh) until a partition cuts them apart. Envelopes are delivered
 * asynchronously, in the order they were sent; an envelope sent before a partition is never
 * delivered after it, even if the partition has healed meanwhile (each connection has a
 * generation, as a real reconnect would).
 */
export interface InMemoryNetwork {
  /** A transport for one node: `createNode({ name, transport: network.transport() })`. */
  transport(): Transport;
  /** Cuts every connection between the two groups; both sides see `nodeDown`. */
  partition(a: string | readonly string[], b: string | readonly string[]): void;
  /** Restores connections between the groups (all connections when called without arguments). */
  heal(a?: string | readonly string[], b?: string | readonly string[]): void;
  isConnected(a: string, b: string): boolean;
  /** Envelopes sent and not yet delivered or dropped. */
  readonly inFlight: number;
}

export function createInMemoryNetwork(): InMemoryNetwork {
  const hosts = new Map<string, TransportHost>();
  const cut = new Set<string>();
  const generations = new Map<string, number>();
  let queue: InFlight[] = [];
  let draining = false;

  const linkKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  const generation = (key: string): number => generations.get(key) ?? 0;
  const bump = (key: string): void => {
    generations.set(key, generation(key) + 1);
  };
  const connected = (a: string, b: string): boolean =>
    a !== b && hosts.has(a) && hosts.has(b) && !cut.has(linkKey(a, b));

  const drain = (): void => {
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      for (const item of batch) {
        const host = hosts.get(item.to);
        if (
          host !== undefined &&
          generation(item.link) === item.generation &&
          !cut.has(item.link)
        ) {
          host.receive(item.envelope);
        }
      }
    }
    draining = false;
  };

  const groups = (x: string | readonly string[]): readonly string[] =>
    typeof x === 'string' ? [x] : x;

  const down = (a: string, b: string): void => {
    bump(linkKey(a, b));
    hosts.get(a)?.nodeDown(b);
    hosts.get(b)?.nodeDown(a);
  };

  return new Network({
    transport(): Transport {
      let self: TransportHost | undefined;
      return {
        attach(host) {
          if (hosts.has(host.name)) throw new Error(`node ${host.name} is already on this network`);
          self = host;
          hosts.set(host.name, host);
          for (const [name, other] of hosts) {
            if (name === host.name || cut.has(linkKey(name, host.name))) continue;
            bump(linkKey(name, host.name));
            other.nodeUp(host.name);
            host.nodeUp(name);
          }
        },
        deliver(envelope) {
          if (self === undefined) return false;
          const to = envelope.to.node;
          if (!connected(self.name, to)) return false;
          const link = linkKey(self.name, to);
          queue.push({ from: self, to, link, generation: generation(link), envelope });
          if (!draining) {
            draining = true;
            RESOLVED.then(drain);
          }
          return true;
        },
        isConnected(node) {
          return self !== undefined && connected(self.name, node);
        },
        nodes() {
          if (self === undefined) return [];
          const me = self.name;
          return [...hosts.keys()].filter((n) => connected(me, n));
        },
        detach() {
          if (self === undefined || hosts.get(self.name) !== self) return;
          // What this node sent before leaving still arrives (its processes' last exit signals),
          // as with a graceful stop of an Erlang node.
          if (queue.length > 0) drain();
          const me = self.name;
          const peers = [...hosts.keys()].filter((n) => connected(me, n));
          hosts.delete(me);
          for (const peer of peers) {
            bump(linkKey(me, peer));
            hosts.get(peer)?.nodeDown(me);
          }
          self = undefined;
        },
      };
    },
    partition(a, b) {
      for (const x of groups(a)) {
        for (const y of groups(b)) {
          if (x === y) continue;
          const key = linkKey(x, y);
          const wasConnected = connected(x, y);
          cut.add(key);
          if (wasConnected) down(x, y);
        }
      }
    },
    heal(a, b) {
      const pairs: [string, string][] = [];
      if (a === undefined || b === undefined) {
        for (const key of cut) pairs.push(key.split('\u0000') as [string, string]);
      } else {
        for (const x of groups(a)) for (const y of groups(b)) if (x !== y) pairs.push([x, y]);
      }
      for (const [x, y] of pairs) {
        const key = linkKey(x, y);
        if (!cut.delete(key)) continue;
        if (!connected(x, y)) continue;
        bump(key);
        hosts.get(x)?.nodeUp(y);
        hosts.get(y)?.nodeUp(x);
      }
    },
    isConnected: connected,
    inFlight: () => queue.length,
  });
}

/**
 * The network's face: a class, so that its `inFlight` getter is on a prototype. An object
 * literal with a getter, made per network (a simulated run makes one), was kept alive by every
 * scavenge of the young generation and promoted, with all it reached.
 */
class Network implements InMemoryNetwork {
  readonly transport: () => Transport;
  readonly partition: InMemoryNetwork['partition'];
  readonly heal: InMemoryNetwork['heal'];
  readonly isConnected: (a: string, b: string) => boolean;
  readonly #inFlight: () => number;

  constructor(parts: Omit<InMemoryNetwork, 'inFlight'> & { readonly inFlight: () => number }) {
    this.transport = parts.transport;
    this.partition = parts.partition;
    this.heal = parts.heal;
    this.isConnected = parts.isConnected;
    this.#inFlight = parts.inFlight;
  }

  get inFlight(): number {
    return this.#inFlight();
  }
}
