import type { ProcessFunction } from '../behaviour.js';
import { NO_MESSAGE, reportCrash } from './crash-report.js';
import type { Process, Runner } from './process.js';
import { isProcessExit, isThenable } from './runner.js';

/**
 * The engine behind a process written as an async function. It starts the function once; after
 * that the process takes messages only through `ctx.receive`, so it is never scheduled again
 * (it stays `busy` for the scheduler's purposes).
 */
export class FunctionRunner implements Runner {
  readonly #fn: ProcessFunction<unknown>;

  constructor(fn: ProcessFunction<unknown>) {
    this.#fn = fn;
  }

  run(p: Process): number {
    if (p.initialized) return 0;
    p.initialized = true;
    p.busy = true;
    p.started('started');
    let result: unknown;
    try {
      const args = p.args;
      p.args = undefined;
      result = this.#fn(p.ctx, args);
    } catch (error) {
      finish(p, error);
      return 1;
    }
    if (isThenable(result)) {
      result.then(
        () => finish(p, undefined, true),
        (error) => finish(p, error),
      );
    } else {
      finish(p, undefined, true);
    }
    return 1;
  }
}

function finish(p: Process, error: unknown, normal = false): void {
  if (p.dead || isProcessExit(error)) return;
  if (normal) p.core.terminate(p, 'normal');
  else p.core.terminate(p, reportCrash(p, error, 'function', NO_MESSAGE, false), 'crash');
}

/** Runs nothing and dead-letters what it is sent: the node's own system process. */
export class SystemRunner implements Runner {
  run(p: Process): number {
    let n = 0;
    while (p.mailbox.size > 0) {
      p.core.deadLetter(p.pid, p.mailbox.shift(), 'unhandled');
      n++;
    }
    return n;
  }
}
