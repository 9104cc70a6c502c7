import {
  type Address,
  type Behaviour,
  type Kit,
  Liveness,
  type Message,
  type Self,
} from './kit.js';
import { RawActor } from './raw.js';

class RawSelf implements Self {
  readonly self: Address;
  #exited = false;

  constructor(
    readonly actor: RawActor<Message>,
    readonly liveness: Liveness,
  ) {
    this.self = actor as unknown as Address;
  }

  send(to: Address, message: Message): void {
    (to as unknown as RawActor<Message>).send(message);
  }

  spawn(behaviour: Behaviour): Address {
    return spawnRaw(behaviour, this.liveness);
  }

  exit(): void {
    if (this.#exited) return;
    this.#exited = true;
    this.actor.stop();
    this.liveness.exited();
  }
}

function spawnRaw(behaviour: Behaviour, liveness: Liveness): Address {
  liveness.spawned();
  let handle: (message: Message) => void = () => {};
  const actor = new RawActor<Message>((message) => handle(message));
  handle = behaviour(new RawSelf(actor, liveness));
  return actor as unknown as Address;
}

export const rawKit: Kit = {
  contender: 'raw',
  async run(main) {
    const liveness = new Liveness();
    main({
      spawn: (behaviour) => spawnRaw(behaviour, liveness),
      send: (to, message) => (to as unknown as RawActor<Message>).send(message),
    });
    await liveness.ended;
  },
};
