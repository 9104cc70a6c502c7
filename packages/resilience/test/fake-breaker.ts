import type { HealthState, LevelHealth } from '../src/index.js';

/** A stand-in for the machines breaker: a state a test sets by hand, announced to listeners. */
export class FakeBreaker implements LevelHealth {
  #state: HealthState = 'closed';
  readonly #listeners = new Set<() => void>();

  get state(): HealthState {
    return this.#state;
  }

  set(state: HealthState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const l of [...this.#listeners]) l();
  }

  onStateChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}
