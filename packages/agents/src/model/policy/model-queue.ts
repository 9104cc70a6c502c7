import { type Clock, type TimerHandle, WardenError } from '@warden/core';
import { ModelCallError } from '../model-call-error.js';
import type { LadderEntry, LadderResult } from './ladder-entry.js';
import type { ModelPolicyEvent } from './model-policy-event.js';
import { discardStream } from './open-stream.js';

export interface ModelQueueOptions {
  readonly clock: Clock;
  readonly name: string;
  readonly provider: string;
  readonly model: string;
  readonly capacity: number;
  readonly deadlineMs: number;
  readonly replayEveryMs: number;
  /** Serves an entry down the ladder again; rejects when no rung can serve it yet. */
  readonly replay: (entry: LadderEntry) => Promise<LadderResult>;
  readonly emit: (event: ModelPolicyEvent) => void;
}

interface Waiting {
  readonly id: number;
  readonly entry: LadderEntry;
  readonly resolve: (result: LadderResult) => void;
  readonly reject: (error: unknown) => void;
  readonly stop: () => void;
}

/**
 * The last rung: calls no rung could serve wait here, bounded, and are replayed in arrival
 * order down the whole ladder when a model may be back (a breaker changed state) and at least
 * every `replayEveryMs` while any wait. A call leaves with its replay's answer, with its
 * caller's abort (`ERR_ABORTED`), or past `deadlineMs` with `timeout` (code `queue_deadline`);
 * it is never dropped in silence and never answered twice.
 *
 * Unlike the queue level of `DegradationLadder`, new calls do not line up behind waiting ones:
 * the calls of different agents are independent, and a cached or static answer should not wait
 * for a model to come back.
 */
export class ModelQueue {
  readonly #o: ModelQueueOptions;
  readonly #waiting: Waiting[] = [];
  #nextId = 1;
  #draining = false;
  #again = false;
  #timer: TimerHandle | undefined;
  #closed = false;

  constructor(options: ModelQueueOptions) {
    this.#o = options;
  }

  get depth(): number {
    return this.#waiting.length;
  }

  /** Holds `entry` until a replay answers it (or its caller or deadline gives up). */
  enqueue(entry: LadderEntry, failure: ModelCallError): Promise<LadderResult> {
    const o = this.#o;
    if (this.#closed) return Promise.reject(this.#closedError());
    if (this.#waiting.length >= o.capacity) return Promise.reject(failure);
    return new Promise<LadderResult>((resolve, reject) => {
      const signal = entry.request.signal;
      const leave = (): boolean => {
        const i = this.#waiting.indexOf(waiting);
        if (i < 0) return false;
        this.#waiting.splice(i, 1);
        entry.abandoned = true;
        waiting.stop();
        return true;
      };
      const onAbort = () => {
        if (leave()) {
          reject(
            new WardenError('ERR_ABORTED', 'model call aborted by the caller', {
              cause: signal?.reason,
            }),
          );
        }
      };
      const deadline = o.clock.setTimer(o.deadlineMs, () => {
        if (!leave()) return;
        o.emit({
          type: 'model.queue_expired',
          time: o.clock.now(),
          source: o.name,
          deadlineMs: o.deadlineMs,
        });
        reject(
          new ModelCallError(
            'timeout',
            `${o.provider}: not replayed within the queue's ${o.deadlineMs} ms`,
            {
              provider: o.provider,
              model: o.model,
              providerCode: 'queue_deadline',
              retryable: false,
              cause: failure,
            },
          ),
        );
      });
      const waiting: Waiting = {
        id: this.#nextId++,
        entry,
        resolve,
        reject,
        stop: () => {
          o.clock.clearTimer(deadline);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiting);
      o.emit({
        type: 'model.queued',
        time: o.clock.now(),
        source: o.name,
        id: waiting.id,
        depth: this.#waiting.length,
      });
      this.#arm();
    });
  }

  /** A model rung may be back: replay now. */
  wake(): void {
    if (this.#waiting.length > 0) void this.#drain();
  }

  /** Hands every waiting call back with `unknown` (code `closed`). */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimer(this.#timer);
    for (const w of this.#waiting.splice(0)) {
      w.entry.abandoned = true;
      w.stop();
      w.reject(this.#closedError());
    }
  }

  /** Replays the oldest waiting calls, in order, until one still finds no rung. */
  async #drain(): Promise<void> {
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = true;
    try {
      do {
        this.#again = false;
        for (let head = this.#waiting[0]; head !== undefined; head = this.#waiting[0]) {
          let result: LadderResult;
          try {
            result = await this.#o.replay(head.entry);
          } catch {
            break; // still nothing serves it: wait for the next wake
          }
          const i = this.#waiting.indexOf(head);
          if (i < 0) {
            // its caller left while the replay ran: nobody will read the stream
            if (result.kind === 'stream') discardStream(result.stream);
            continue;
          }
          this.#waiting.splice(i, 1);
          head.stop();
          if (result.kind === 'response' || result.kind === 'stream') {
            this.#o.emit({
              type: 'model.replayed',
              time: this.#o.clock.now(),
              source: this.#o.name,
              id: head.id,
              level: result.level,
            });
          }
          head.resolve(result);
        }
      } while (this.#again && this.#waiting.length > 0);
    } finally {
      this.#draining = false;
    }
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = this.#o.clock.setTimer(this.#o.replayEveryMs, () => {
      this.#timer = undefined;
      if (this.#waiting.length === 0) return;
      void this.#drain();
      this.#arm();
    });
  }

  #closedError(): ModelCallError {
    return new ModelCallError('unknown', `${this.#o.name} is closed`, {
      provider: this.#o.provider,
      model: this.#o.model,
      providerCode: 'closed',
      retryable: false,
    });
  }
}
