import { Directive, IGNORE, NoReply, Reply, Stop } from '../actor-result.js';
import type { ActorSpec } from '../behaviour.js';
import { describeValue, WardenError } from '../errors.js';
import type { ExitCause } from '../events.js';
import type { ExitReason } from '../exit-reason.js';
import { EMPTY } from '../mailbox.js';
import { CallRequest, CastMessage, ExitMessage, RuntimeMessage } from '../messages.js';
import { samePid } from '../pid.js';
import { runTraced } from './context-propagation.js';
import { NO_MESSAGE, reportCrash } from './crash-report.js';
import { recordPoisonCrash, screenPoison } from './poison-screen.js';
import type { Process, Runner } from './process.js';
import { isProcessExit, isThenable } from './runner.js';
import { StopRequest } from './stop-request.js';
import { TracedMessage } from './traced-message.js';

/**
 * The gen_server engine behind `defineActor`: runs `init`, then hands one message at a time to
 * `handleCall` / `handleCast` / `handleInfo`, applies their answers, and turns a throw into the
 * process's exit (after `terminate`). Sync handlers cost no promise; async ones park the process
 * (`busy`) until they settle. One runner serves every process of a behaviour: the state lives in
 * the process (`p.state`), so spawning allocates no engine object.
 */
export class ActorRunner implements Runner {
  readonly #spec: ActorSpec<unknown, unknown>;

  constructor(spec: ActorSpec<unknown, unknown>) {
    this.#spec = spec;
  }

  run(p: Process): number {
    let handled = 0;
    if (!p.initialized) {
      this.#init(p);
      handled = 1;
      // A synchronous (or absent) init leaves the process ready: serve what arrived meanwhile.
    }
    const slice = p.core.scheduler.slice;
    const mailbox = p.mailbox;
    // A poison guard is set at spawn, so it cannot appear during the turn.
    const handleInfo = p.poison === undefined ? this.#spec.handleInfo : undefined;
    while (handled < slice && !p.dead && !p.busy) {
      const message = mailbox.shift();
      if (message === EMPTY) break;
      handled++;
      if (handleInfo === undefined || message instanceof RuntimeMessage) {
        this.#handle(p, message);
        continue;
      }
      // The common case, small enough to compile into this loop: a plain message, no poison
      // guard, and a handler that answers synchronously with its next state.
      let result: unknown;
      try {
        result = handleInfo(message, p.state, p.ctx);
      } catch (error) {
        this.#crash(p, error, undefined, message);
        continue;
      }
      if (result instanceof Directive || p.dead || isThenable(result)) {
        this.#settle(p, message, result, undefined);
      } else {
        p.state = result;
      }
    }
    this.#resume(p);
    return handled;
  }

  #init(p: Process): void {
    p.initialized = true;
    const init = this.#spec.init;
    if (init === undefined) {
      p.started('started');
      return;
    }
    p.busy = true;
    let result: unknown;
    try {
      const args = p.args;
      p.args = undefined; // init is its only reader
      result = init(args, p.ctx);
    } catch (error) {
      this.#initFailed(p, error);
      return;
    }
    if (isThenable(result)) {
      result
        .then(
          (value) => this.#initDone(p, value),
          (error) => this.#initFailed(p, error),
        )
        .then(undefined, (error) => p.core.fail(p, error));
    } else {
      this.#initDone(p, result);
    }
  }

  #initDone(p: Process, value: unknown): void {
    if (p.dead) return;
    if (value === IGNORE) {
      p.started('ignored');
      p.core.terminate(p, 'normal');
      return;
    }
    if (value instanceof Stop) {
      p.started('failed', value.reason);
      p.core.terminate(p, value.reason);
      return;
    }
    p.state = value;
    p.busy = false;
    p.started('started');
    this.#resume(p);
  }

  #initFailed(p: Process, error: unknown): void {
    if (p.dead || isProcessExit(error)) return;
    const reason = reportCrash(p, error, 'init', NO_MESSAGE, false);
    p.started('failed', reason);
    p.core.terminate(p, reason, 'crash');
  }

  #handle(p: Process, message: unknown): void {
    const spec = this.#spec;
    if (message instanceof TracedMessage) {
      this.#handleTraced(p, message);
      return;
    }
    if (message instanceof StopRequest) {
      // A synchronous stop (gen_server:stop): terminate runs, then the process ends as asked.
      this.#stopWith(p, message.reason, 'stopped');
      return;
    }
    const poisonKey = p.poison === undefined ? undefined : screenPoison(p, message);
    if (poisonKey === null) return;
    let result: unknown;
    try {
      if (!(message instanceof RuntimeMessage)) {
        if (spec.handleInfo === undefined) {
          p.core.deadLetter(p.pid, message, 'unhandled');
          return;
        }
        result = spec.handleInfo(message, p.state, p.ctx);
      } else if (message instanceof CallRequest) {
        if (spec.handleCall === undefined) throw unexpected('call', message.request);
        result = spec.handleCall(message.request, message, p.state, p.ctx);
      } else if (message instanceof CastMessage) {
        if (spec.handleCast === undefined) throw unexpected('cast', message.message);
        result = spec.handleCast(message.message, p.state, p.ctx);
      } else if (message instanceof ExitMessage && p.trapping && samePid(message.from, p.parent)) {
        // gen_server: an EXIT from the parent while trapping means "terminate with its reason".
        this.#stopWith(p, message.reason, 'signal');
        return;
      } else if (spec.handleInfo !== undefined) {
        result = spec.handleInfo(message, p.state, p.ctx);
      } else {
        p.core.deadLetter(p.pid, message, 'unhandled');
        return;
      }
    } catch (error) {
      this.#crash(p, error, poisonKey, message);
      return;
    }
    this.#settle(p, message, result, poisonKey);
  }

  /**
   * A message that carried its sender's trace context: its handler runs inside it, and so does
   * everything the handler starts (its awaits, its sends), so spans made there are children of
   * the sender's. Without propagation installed (removed since it was sent) it runs as any other.
   */
  #handleTraced(p: Process, traced: TracedMessage): void {
    const propagation = p.core.propagation;
    if (propagation === undefined) this.#handle(p, traced.message);
    else runTraced(p.core, propagation, traced.context, () => this.#handle(p, traced.message));
  }

  /** What follows a handler's answer: wait for it, discard it (fenced), or apply it. */
  #settle(p: Process, message: unknown, result: unknown, poisonKey: string | undefined): void {
    if (isThenable(result)) {
      p.busy = true;
      result
        .then(
          (value) => {
            if (p.dead) {
              fencedReply(p, message, value);
              return;
            }
            p.busy = false;
            this.#apply(p, message, value, poisonKey);
            this.#resume(p);
          },
          (error) => {
            if (p.dead) return;
            p.busy = false;
            this.#crash(p, error, poisonKey, message);
          },
        )
        .then(undefined, (error) => p.core.fail(p, error));
    } else if (p.dead) {
      // The handler killed its own process (or was fenced) before returning.
      fencedReply(p, message, result);
    } else {
      this.#apply(p, message, result, poisonKey);
    }
  }

  #apply(p: Process, message: unknown, result: unknown, poisonKey: string | undefined): void {
    if (message instanceof CallRequest) {
      if (result instanceof Reply) {
        p.state = result.state;
        p.core.calls.reply(message, result.value, undefined);
      } else if (result instanceof NoReply) {
        p.state = result.state;
      } else if (result instanceof Stop) {
        if (result.hasReply) p.core.calls.reply(message, result.replyValue, undefined);
        p.state = result.state;
        this.#stopWith(p, result.reason, 'self');
      } else {
        this.#crash(p, badReturn('handleCall', result), poisonKey, message);
      }
      return;
    }
    if (!(result instanceof Directive)) {
      p.state = result;
    } else if (result instanceof Stop) {
      p.state = result.state;
      this.#stopWith(p, result.reason, 'self');
    } else if (result instanceof Reply || result instanceof NoReply) {
      this.#crash(p, badReturn('handleCast/handleInfo', result), poisonKey, message);
    } else {
      p.state = result;
    }
  }

  /** The handler of `message` threw: a crash report, then `terminate`, then the exit. */
  #crash(p: Process, error: unknown, poisonKey: string | undefined, message: unknown): void {
    if (p.dead || isProcessExit(error)) return;
    recordPoisonCrash(p, poisonKey);
    this.#stopWith(p, reportCrash(p, error, 'handler', message, true), 'crash');
  }

  /** Runs `terminate` (if any), then ends the process. A throwing `terminate` replaces the reason. */
  #stopWith(p: Process, reason: ExitReason, cause: ExitCause): void {
    if (p.dead) return;
    const terminate = this.#spec.terminate;
    if (terminate === undefined) {
      p.core.terminate(p, reason, cause);
      return;
    }
    let result: unknown;
    try {
      result = terminate(reason, p.state, p.ctx);
    } catch (error) {
      this.#terminateFailed(p, error);
      return;
    }
    if (isThenable(result)) {
      p.busy = true;
      result
        .then(
          () => p.core.terminate(p, reason, cause),
          (error) => this.#terminateFailed(p, error),
        )
        .then(undefined, (error) => p.core.fail(p, error));
    } else {
      p.core.terminate(p, reason, cause);
    }
  }

  #terminateFailed(p: Process, error: unknown): void {
    if (p.dead || isProcessExit(error)) return;
    p.core.terminate(p, reportCrash(p, error, 'terminate', NO_MESSAGE, true), 'crash');
  }

  #resume(p: Process): void {
    if (!p.dead && !p.busy && !p.queued && p.mailbox.size > 0) p.core.scheduler.schedule(p);
  }
}

function unexpected(kind: string, payload: unknown): Error {
  return new Error(`unexpected ${kind} (no handler): ${describeValue(payload)}`);
}

function badReturn(where: string, value: unknown): WardenError {
  return new WardenError('ERR_BAD_RETURN', `${where} returned ${describeValue(value)}`);
}

/** A fenced handler's reply is discarded, but counted: never silent (decision 0002). */
function fencedReply(p: Process, message: unknown, result: unknown): void {
  if (!(message instanceof CallRequest)) return;
  if (result instanceof Reply) p.core.deadLetter(message.from, result.value, 'fenced');
  else if (result instanceof Stop && result.hasReply) {
    p.core.deadLetter(message.from, result.replyValue, 'fenced');
  }
}
