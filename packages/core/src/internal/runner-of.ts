import { isActorBehaviour } from '../behaviour.js';
import { ActorRunner } from './actor-runner.js';
import { FunctionRunner } from './function-runner.js';
import type { Runner } from './process.js';

/** One stateless runner per behaviour, made on its first spawn. */
const runners = new WeakMap<object, Runner>();

export function runnerOf(behaviour: unknown): Runner | undefined {
  if (typeof behaviour !== 'function' && !isActorBehaviour(behaviour)) return undefined;
  let runner = runners.get(behaviour);
  if (runner === undefined) {
    runner = isActorBehaviour(behaviour)
      ? new ActorRunner(behaviour.spec as never)
      : new FunctionRunner(behaviour as never);
    runners.set(behaviour, runner);
  }
  return runner;
}
