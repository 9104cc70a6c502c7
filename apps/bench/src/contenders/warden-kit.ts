import { type ActorContext, createNode, defineActor, type Pid, stop } from '@warden/core';
import {
  type Address,
  type Behaviour,
  type Kit,
  Liveness,
  type Message,
  type Self,
} from './kit.js';

interface SavinaArgs {
  readonly behaviour: Behaviour;
  readonly liveness: Liveness;
}

interface SavinaState {
  handle: (message: Message) => void;
  exiting: boolean;
}

class WardenSelf implements Self {
  readonly self: Address;

  constructor(
    readonly ctx: ActorContext,
    readonly state: SavinaState,
    readonly liveness: Liveness,
  ) {
    this.self = ctx.self as unknown as Address;
  }

  send(to: Address, message: Message): void {
    this.ctx.send(to as unknown as Pid, message);
  }

  spawn(behaviour: Behaviour): Address {
    this.liveness.spawned();
    return this.ctx.spawn(savinaActor, {
      args: { behaviour, liveness: this.liveness },
    }) as unknown as Address;
  }

  exit(): void {
    if (this.state.exiting) return;
    this.state.exiting = true;
    this.liveness.exited();
  }
}

/** A Savina actor as a gen_server: `exit()` becomes the handler's `stop('normal')`. */
const savinaActor = defineActor<SavinaState, SavinaArgs>({
  init: ({ behaviour, liveness }, ctx) => {
    const state: SavinaState = { handle: () => {}, exiting: false };
    state.handle = behaviour(new WardenSelf(ctx, state, liveness));
    return state;
  },
  handleInfo: (message: Message, state) => {
    state.handle(message);
    return state.exiting ? stop('normal', state) : state;
  },
});

/** Savina floods single actors (Counting sends 1M messages at once): mailboxes are unbounded. */
export const wardenKit: Kit = {
  contender: 'warden',
  async run(main) {
    const node = createNode({ name: 'savina', mailbox: { capacity: Number.POSITIVE_INFINITY } });
    try {
      const liveness = new Liveness();
      main({
        spawn: (behaviour) => {
          liveness.spawned();
          return node.spawn(savinaActor, { args: { behaviour, liveness } }) as unknown as Address;
        },
        send: (to, message) => node.send(to as unknown as Pid, message),
      });
      await liveness.ended;
    } finally {
      await node.stop();
    }
  },
};
