import type { ContenderName } from '../workload.js';

/** An actor's address in one contender's runtime; opaque to the benchmarks. */
export type Address = { readonly __address: unique symbol };

/** Every message is an object with a `type`, so xstate takes it as an event unchanged. */
export interface Message {
  readonly type: string;
}

/** What a Savina actor sees of its runtime (Akka's `self`, `!`, `actorOf` and `exit()`). */
export interface Self {
  readonly self: Address;
  send(to: Address, message: Message): void;
  /** A new top-level actor (Savina's `context.system.actorOf`). */
  spawn(behaviour: Behaviour): Address;
  /** Ends this actor after the current message; later messages to it are dropped. */
  exit(): void;
}

/**
 * A Savina actor: called once when the actor starts (Akka's constructor plus `onPostStart`, so it
 * may spawn and send), it returns the handler for every message.
 */
export type Behaviour = (self: Self) => (message: Message) => void;

/** What the benchmark's main code (outside any actor) can do. */
export interface System {
  spawn(behaviour: Behaviour): Address;
  send(to: Address, message: Message): void;
}

/**
 * The minimal actor interface the Savina ports are written against, implemented once per
 * contender with its own primitives. One call of indirection per message, the same for all.
 */
export interface Kit {
  readonly contender: ContenderName;
  /**
   * Creates a fresh system, runs `main` and resolves when every actor spawned has exited
   * (Savina's `awaitTermination`), then tears the system down.
   */
  run(main: (system: System) => void): Promise<void>;
}

/** Counts live actors of one run; the run ends when the last one exits. */
export class Liveness {
  #live = 0;
  #resolve: (() => void) | undefined;
  readonly ended: Promise<void>;

  constructor() {
    this.ended = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  spawned(): void {
    this.#live++;
  }

  exited(): void {
    if (--this.#live === 0) this.#resolve?.();
  }
}
