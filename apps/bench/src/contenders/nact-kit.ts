import nact from 'nact';
import {
  type Address,
  type Behaviour,
  type Kit,
  Liveness,
  type Message,
  type Self,
} from './kit.js';

type NactRef = nact.Ref<Message>;

interface SavinaState {
  handle: (message: Message) => void;
  exiting: boolean;
}

class NactSelf implements Self {
  constructor(
    readonly self: Address,
    readonly state: SavinaState,
    readonly run: NactRun,
  ) {}

  send(to: Address, message: Message): void {
    nact.dispatch(to as unknown as NactRef, message);
  }

  spawn(behaviour: Behaviour): Address {
    return this.run.spawn(behaviour);
  }

  exit(): void {
    if (this.state.exiting) return;
    this.state.exiting = true;
    this.run.liveness.exited();
  }
}

function handler(
  state: SavinaState,
  message: Message,
  ctx: nact.ActorContext<Message, nact.ActorSystemRef>,
): SavinaState {
  if (state.exiting) return state;
  state.handle(message);
  if (state.exiting) nact.stop(ctx.self);
  return state;
}

/** One benchmark run: a nact system, and a counter for unique actor names. */
class NactRun {
  readonly liveness = new Liveness();
  readonly system = nact.start();
  #next = 0;

  spawn(behaviour: Behaviour): Address {
    this.liveness.spawned();
    const ref = nact.spawn(this.system, handler, `s${this.#next++}`, {
      initialStateFunc: (ctx) => {
        const state: SavinaState = { handle: () => {}, exiting: false };
        state.handle = behaviour(new NactSelf(ctx.self as unknown as Address, state, this));
        return state;
      },
    });
    return ref as unknown as Address;
  }
}

export const nactKit: Kit = {
  contender: 'nact',
  async run(main) {
    const run = new NactRun();
    try {
      main({
        spawn: (behaviour) => run.spawn(behaviour),
        send: (to, message) => nact.dispatch(to as unknown as NactRef, message),
      });
      await run.liveness.ended;
    } finally {
      nact.stop(run.system);
    }
  },
};
