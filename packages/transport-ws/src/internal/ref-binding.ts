import type { Envelope, Ref } from '@warden/core';

/**
 * Binds the refs of monitors and calls to the connection they were made over, so that one member
 * cannot answer for another: a reply or DOWN is let through only for a ref this node sent to this
 * peer (in a `monitor` or `call`, which implies one) and not yet settled, and a `demonitor` only
 * for a ref this peer sent and this node has not released (a DOWN, or a reply marked
 * `released`). Anything else is dropped: core would have matched it by ref alone, whoever sent
 * it.
 *
 * Late arrivals are legitimate (a DOWN crossing a demonitor) and are dropped harmlessly: core
 * would have found no monitor or call for them either. Both sets live and die with the
 * connection and hold only live monitors and calls.
 */
export class RefBinding {
  /** Refs of monitors and calls this node sent, awaiting their DOWN or reply. */
  readonly #ours = new Set<Ref>();
  /**
   * Refs of monitors and calls the peer sent, until it demonitors, the monitor fires, or a reply
   * releases it.
   */
  readonly #theirs = new Set<Ref>();

  /** Records an envelope this node is sending. */
  sent(e: Envelope): void {
    switch (e.kind) {
      case 'monitor':
      case 'call':
        this.#ours.add(e.ref);
        return;
      case 'demonitor':
        this.#ours.delete(e.ref);
        return;
      case 'down':
        this.#theirs.delete(e.ref);
        return;
      case 'reply':
        // The monitor the peer's call implied is released with it: no demonitor will follow.
        if (e.released === true) this.#theirs.delete(e.ref);
        return;
    }
  }

  /** Whether an envelope received from the peer may reach the node. */
  admits(e: Envelope): boolean {
    switch (e.kind) {
      case 'monitor':
      case 'call':
        this.#theirs.add(e.ref);
        return true;
      case 'demonitor':
        return this.#theirs.delete(e.ref);
      case 'reply':
      case 'down':
        return this.#ours.delete(e.ref);
      default:
        return true;
    }
  }
}
