import { getChildSpec, type Node, type NodeEvent, type Pid } from '@warden/core';

/** A process given a type: the child id its supervisor started it under, or its agent name. */
export interface TypedProcess {
  readonly pid: Pid;
  readonly type: string;
  readonly subtree: Pid | undefined;
}

export interface TypeChange {
  readonly born?: TypedProcess;
  readonly gone?: TypedProcess;
}

/**
 * Follows which live process is of which type, from the node's events: a supervisor's
 * `child_started` names the child id, and an agent's first published `agent.*` event names its
 * agent type (a subagent started under the generic `subagent` id becomes a `memory-sync`
 * agent). `actor.exited` ends it.
 *
 * A `simple_one_for_one` supervisor reports its children by instance key (`#0`, `#1`), not by
 * the template's id: the id is asked of the supervisor once (`getChildSpec`) and the births
 * waiting for it are reported through `late` when the answer comes, at the same virtual time.
 */
export class ProcessTypes {
  readonly #node: Node;
  readonly #late: (change: TypeChange) => void;
  readonly #live = new Map<string, TypedProcess>();
  readonly #counts = new Map<string, number>();
  /** Template ids of simple_one_for_one supervisors, by supervisor key (a promise while asked). */
  readonly #templates = new Map<string, string | Promise<string | undefined>>();
  /** Births waiting for their supervisor's template id. */
  readonly #waiting = new Map<string, { pid: Pid; subtree: Pid }>();

  constructor(node: Node, late: (change: TypeChange) => void) {
    this.#node = node;
    this.#late = late;
  }

  apply(event: NodeEvent): TypeChange {
    switch (event.type) {
      case 'supervisor.child_started': {
        if (!event.id.startsWith('#')) return this.#set(event.pid, event.id, event.supervisor);
        const template = this.#templates.get(event.supervisor.key);
        if (typeof template === 'string') return this.#set(event.pid, template, event.supervisor);
        this.#waiting.set(event.pid.key, { pid: event.pid, subtree: event.supervisor });
        if (template === undefined) this.#ask(event.supervisor, event.pid);
        return {};
      }
      case 'actor.exited': {
        this.#waiting.delete(event.pid.key);
        const gone = this.#live.get(event.pid.key);
        if (gone === undefined) return {};
        this.#live.delete(event.pid.key);
        this.#counts.set(gone.type, (this.#counts.get(gone.type) ?? 1) - 1);
        return { gone };
      }
      case 'published': {
        const agent = (event.event as { agent?: unknown }).agent;
        if (event.pid === undefined || typeof agent !== 'string') return {};
        if (!event.event.type.startsWith('agent.')) return {};
        const known = this.#live.get(event.pid.key);
        if (known?.type === agent) return {};
        // Its agent type is all the template id would have said: it need not wait for it.
        const waiting = this.#waiting.get(event.pid.key);
        this.#waiting.delete(event.pid.key);
        return this.#set(event.pid, agent, known?.subtree ?? waiting?.subtree);
      }
      default:
        return {};
    }
  }

  /** Live processes of `type`. */
  count(type: string): number {
    return this.#counts.get(type) ?? 0;
  }

  #set(pid: Pid, type: string, subtree: Pid | undefined): TypeChange {
    const known = this.#live.get(pid.key);
    if (known !== undefined) this.#counts.set(known.type, (this.#counts.get(known.type) ?? 1) - 1);
    const born = { pid, type, subtree };
    this.#live.set(pid.key, born);
    this.#counts.set(type, (this.#counts.get(type) ?? 0) + 1);
    return known === undefined ? { born } : { born, gone: known };
  }

  #ask(supervisor: Pid, child: Pid): void {
    const asked = getChildSpec(this.#node, supervisor, child).then(
      (r) => (r.ok ? r.spec.id : undefined),
      () => undefined,
    );
    this.#templates.set(supervisor.key, asked);
    void asked.then((id) => {
      if (id === undefined) {
        this.#templates.delete(supervisor.key); // ask again with the next child
        return;
      }
      this.#templates.set(supervisor.key, id);
      for (const [key, w] of [...this.#waiting]) {
        if (w.subtree.key !== supervisor.key) continue;
        this.#waiting.delete(key);
        this.#late(this.#set(w.pid, id, w.subtree));
      }
    });
  }
}
