import type { Address } from '../context.js';
import { invalidArgument } from '../errors.js';
import { Pid } from '../pid.js';
import type { Ref } from '../ref.js';
import { captureContext } from './context-propagation.js';
import type { NodeCore } from './node-core.js';
import type { Process } from './process.js';

/**
 * `sendAfter` timers on the node's clock. A timer owned by a process is cancelled when that
 * process exits (it would only produce a dead letter), and every timer is cancelled when the node
 * stops, so nothing keeps firing into a dead system.
 */
export class Timers {
  readonly #core: NodeCore;
  readonly #pending = new Map<Ref, { handle: object; owner: Process | undefined }>();

  constructor(core: NodeCore) {
    this.#core = core;
  }

  get size(): number {
    return this.#pending.size;
  }

  sendAfter(owner: Process | undefined, to: Address, message: unknown, delayMs: number): Ref {
    if (typeof delayMs !== 'number' || !(delayMs >= 0) || !Number.isFinite(delayMs)) {
      throw invalidArgument('delayMs', delayMs, 'a finite number >= 0');
    }
    if (typeof to !== 'string' && !(to instanceof Pid)) {
      throw invalidArgument('to', to, 'a pid or a registered name');
    }
    const core = this.#core;
    const ref = core.newRef();
    if (owner?.dead === true) return ref;
    // The message carries the context the timer was set in, not whatever runs when it fires.
    const context = core.capture ? captureContext(core) : undefined;
    const handle = core.clock.setTimer(delayMs, () => {
      this.#pending.delete(ref);
      owner?.timers?.delete(ref);
      core.router.sendWith(undefined, to, message, false, context);
    });
    this.#pending.set(ref, { handle, owner });
    if (owner !== undefined) (owner.timers ??= new Set()).add(ref);
    return ref;
  }

  /** Returns whether the timer was still pending. */
  cancel(ref: Ref): boolean {
    const timer = this.#pending.get(ref);
    if (timer === undefined) return false;
    this.#pending.delete(ref);
    timer.owner?.timers?.delete(ref);
    this.#core.clock.clearTimer(timer.handle);
    return true;
  }

  cancelAll(): void {
    for (const ref of [...this.#pending.keys()]) this.cancel(ref);
  }
}
