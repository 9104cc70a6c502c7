import type { AgentStore, Checkpoint } from '@warden/agents';

/**
 * One incarnation of a node, as its store sees it. The node dies at the `crashAt`-th store
 * operation, before that operation starts: the operation never happens and never answers (the
 * process that asked is gone), and every later operation of the same incarnation is refused
 * without touching the store. So a crash lands between two store operations, which is where a
 * real crash leaves a store whose writes are atomic: every operation either happened whole or not
 * at all.
 */
export class Incarnation {
  ops = 0;
  dead = false;
  /** The checkpoint of the last commit that answered: what a resume must start from. */
  lastCommitted: Checkpoint | undefined;

  constructor(readonly crashAt: number) {}
}

const PARTS = ['checkpoints', 'journal', 'approvals', 'audit', 'memory', 'leases'] as const;

/** The store as one incarnation uses it: every operation counted, the crash injected. */
export function crashingStore(inner: AgentStore, life: Incarnation): AgentStore {
  const wrapped: Record<string, unknown> = {};
  for (const part of PARTS) wrapped[part] = wrapPart(inner[part] as object, part, life);
  return {
    ...(wrapped as Pick<AgentStore, (typeof PARTS)[number]>),
    deadLetters: (queue) => inner.deadLetters(queue),
    queue: (name) => inner.queue(name),
    prune: (threadId, retention) => inner.prune(threadId, retention),
    usage: (threadId) => inner.usage(threadId),
    close: async () => undefined,
  };
}

function wrapPart(target: object, part: string, life: Incarnation): object {
  const methods: Record<string, unknown> = {};
  let proto: object | null = target;
  const names = new Set<string>();
  while (proto !== null && proto !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
    proto = Object.getPrototypeOf(proto);
  }
  for (const name of names) {
    const method = (target as Record<string, unknown>)[name];
    if (name === 'constructor' || typeof method !== 'function') continue;
    methods[name] = async (...args: unknown[]) => {
      if (life.dead) throw new Error(`the node that called ${part}.${name} is dead`);
      life.ops++;
      if (life.ops === life.crashAt) {
        life.dead = true;
        return new Promise(() => undefined);
      }
      const value = await (method as (...a: unknown[]) => unknown).apply(target, args);
      if (part === 'checkpoints' && name === 'commit') {
        life.lastCommitted = structuredClone(args[0] as Checkpoint);
      }
      return value;
    };
  }
  return methods;
}
