import { RawActor, type RawHandler } from './raw.js';

/**
 * A raw actor as the least a runtime must keep of it to be one: an entry in a registry by id
 * (what resolves an address, lists the live actors and lets a node stop them all) and a link to
 * the actor that spawned it (what an exit or a crash is reported to). warden's spawn does both
 * (its process table and `ctx.parent`), so the spawn-churn baseline does them too; everything
 * else stays raw.
 */
export class RegisteredRawActor<M> extends RawActor<M> {
  readonly id: number;
  /**
   * The parent's id, resolved through the registry like any address: a reference to the parent
   * object itself would keep every ancestor of a chain alive (warden's `ctx.parent` is a pid).
   */
  readonly parent: number | undefined;
  readonly #registry: RawRegistry;

  constructor(
    registry: RawRegistry,
    id: number,
    parent: number | undefined,
    handler: RawHandler<M>,
  ) {
    super(handler);
    this.#registry = registry;
    this.id = id;
    this.parent = parent;
  }

  /** Stops at once and leaves the registry. */
  override stop(): void {
    if (this.stopped) return;
    super.stop();
    this.#registry.remove(this.id);
  }
}

/** The live registered actors by id; ids only grow. */
export class RawRegistry {
  readonly #actors = new Map<number, object>();
  #nextId = 0;

  get size(): number {
    return this.#actors.size;
  }

  spawn<M>(handler: RawHandler<M>, parent: number | undefined): RegisteredRawActor<M> {
    const actor = new RegisteredRawActor<M>(this, this.#nextId++, parent, handler);
    this.#actors.set(actor.id, actor);
    return actor;
  }

  get(id: number): object | undefined {
    return this.#actors.get(id);
  }

  remove(id: number): void {
    this.#actors.delete(id);
  }
}
