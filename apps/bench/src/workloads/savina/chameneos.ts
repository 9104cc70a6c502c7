import { expectEqual } from '../../check.js';
import type { Address, Behaviour, Kit, Message, Self } from '../../contenders/kit.js';
import { scaled } from '../../workload.js';
import type { SavinaBenchmark } from './savina.js';

interface Params {
  readonly chameneos: number;
  readonly meetings: number;
}

const RED = 0;
const YELLOW = 1;
const BLUE = 2;
const FADED = 3;

/** ChameneosHelper.complement: the colour after meeting a chameneo of `other` colour. */
const COMPLEMENT: readonly (readonly number[])[] = [
  [RED, BLUE, YELLOW, FADED],
  [BLUE, YELLOW, RED, FADED],
  [YELLOW, RED, BLUE, FADED],
  [FADED, FADED, FADED, FADED],
];

interface Meet {
  readonly type: 'meet';
  readonly color: number;
  readonly sender: Address;
}

interface Change {
  readonly type: 'change';
  readonly color: number;
  readonly sender: Address;
}

interface MeetingCount {
  readonly type: 'count';
  readonly count: number;
  readonly sender: Address;
}

interface ExitMsg {
  readonly type: 'exit';
  readonly sender: Address;
}

/**
 * Chameneos (`chameneos`): a mall pairs chameneos that come to meet; each pair exchanges colours
 * and comes back, until the mall has arranged the given number of meetings; then every chameneo
 * reports its meetings and exits. Every meeting counts twice (once per partner).
 */
export const chameneos: SavinaBenchmark<Params, number> = {
  name: 'chameneos',
  title: 'Chameneos',
  params: (scale) => ({ chameneos: 100, meetings: scaled(200_000, scale) }),
  describe: (p) => `${p.chameneos} chameneos, ${p.meetings} meetings`,
  ops: (p) => p.meetings,
  async run(kit: Kit, { chameneos: count, meetings }: Params): Promise<number> {
    let sumMeetings = -1;
    await kit.run((system) => {
      system.spawn((mall) => {
        let n = meetings;
        let waiting: Address | undefined;
        let sum = 0;
        let faded = 0;
        for (let i = 0; i < count; i++) mall.spawn(chameneo(mall.self, i % 3));
        return (message) => {
          if (message.type === 'count') {
            faded++;
            sum += (message as MeetingCount).count;
            if (faded === count) {
              sumMeetings = sum;
              mall.exit();
            }
          } else if (message.type === 'meet') {
            const meet = message as Meet;
            if (n > 0) {
              if (waiting === undefined) {
                waiting = meet.sender;
              } else {
                n--;
                mall.send(waiting, meet);
                waiting = undefined;
              }
            } else {
              mall.send(meet.sender, { type: 'exit', sender: mall.self } as ExitMsg);
            }
          }
        };
      });
    });
    return sumMeetings;
  },
  check(result, { meetings }) {
    expectEqual('meetings counted by the chameneos', result, 2 * meetings);
  },
};

function chameneo(mall: Address, initial: number): Behaviour {
  return (self: Self) => {
    let color = initial;
    let meetings = 0;
    self.send(mall, { type: 'meet', color, sender: self.self } as Meet);
    return (message: Message) => {
      switch (message.type) {
        case 'meet': {
          const meet = message as Meet;
          color = COMPLEMENT[color]?.[meet.color] ?? FADED;
          meetings++;
          self.send(meet.sender, { type: 'change', color, sender: self.self } as Change);
          self.send(mall, { type: 'meet', color, sender: self.self } as Meet);
          break;
        }
        case 'change':
          color = (message as Change).color;
          meetings++;
          self.send(mall, { type: 'meet', color, sender: self.self } as Meet);
          break;
        case 'exit':
          color = FADED;
          self.send((message as ExitMsg).sender, {
            type: 'count',
            count: meetings,
            sender: self.self,
          } as MeetingCount);
          self.exit();
          break;
      }
    };
  };
}
