import { type AnyActorRef, createActor, fromTransition } from 'xstate';
import {
  type Address,
  type Behaviour,
  type Kit,
  Liveness,
  type Message,
  type Self,
} from './kit.js';

interface SavinaState {
  handle: (message: Message) => void;
  exiting: boolean;
}

class XstateSelf implements Self {
  readonly self: Address;

  constructor(
    readonly ref: AnyActorRef,
    readonly state: SavinaState,
    readonly liveness: Liveness,
  ) {
    this.self = ref as unknown as Address;
  }

  send(to: Address, message: Message): void {
    (to as unknown as AnyActorRef).send(message);
  }

  spawn(behaviour: Behaviour): Address {
    return spawnXstate(behaviour, this.liveness);
  }

  exit(): void {
    if (this.state.exiting) return;
    this.state.exiting = true;
    this.liveness.exited();
    // Queued behind the current event; drops what is still in the mailbox, like an Akka stop.
    this.ref.stop();
  }
}

/** A Savina actor as xstate transition logic; xstate's own `xstate.*` events are ignored. */
const savinaLogic = fromTransition(
  (state: SavinaState, event: Message) => {
    if (!state.exiting) state.handle(event);
    return state;
  },
  ({ input }: { input: SavinaState }) => input,
);

/**
 * The behaviour runs between `createActor` and `start` (xstate 5.33 does not hand `self` to the
 * initial state function), so what it sends to itself meanwhile waits in the mailbox until start.
 */
function spawnXstate(behaviour: Behaviour, liveness: Liveness): Address {
  liveness.spawned();
  const state: SavinaState = { handle: () => {}, exiting: false };
  const actor = createActor(savinaLogic, { input: state });
  state.handle = behaviour(new XstateSelf(actor, state, liveness));
  actor.start();
  return actor as unknown as Address;
}

export const xstateKit: Kit = {
  contender: 'xstate',
  async run(main) {
    const liveness = new Liveness();
    main({
      spawn: (behaviour) => spawnXstate(behaviour, liveness),
      send: (to, message) => (to as unknown as AnyActorRef).send(message),
    });
    await liveness.ended;
  },
};
