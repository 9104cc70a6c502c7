/** @internal The process behind a local pid (see `Pid.#cell`); not exported from the package. */
export let cellOf: (pid: Pid) => unknown;
/** @internal */
export let setCell: (pid: Pid, cell: unknown) => void;

/**
 * A process identifier: the node's name, the node's incarnation (made fresh each time a node
 * starts) and a counter. A pid of an earlier incarnation never reaches a process of a later one.
 * A pid serialises to plain data and survives the wire; on its own node it also caches the live
 * process it names. Compare pids with `samePid`, never with `===`.
 */
export class Pid {
  readonly node: string;
  readonly incarnation: string;
  readonly id: number;
  /**
   * The live process behind a pid its own node made, so routing a local message needs no table
   * lookup; cleared when the process exits. A private field: never part of the wire shape, and
   * invisible to structural equality (a revived pid equals the original). Reached through
   * `cellOf` / `setCell`, which the core keeps internal.
   */
  #cell: unknown = undefined;
  #key: string | undefined = undefined;

  static {
    cellOf = (pid) => pid.#cell;
    setCell = (pid, cell) => {
      pid.#cell = cell;
    };
  }

  constructor(node: string, incarnation: string, id: number) {
    this.node = node;
    this.incarnation = incarnation;
    this.id = id;
  }

  /** A string unique across the cluster and across incarnations; usable as a Map key. */
  get key(): string {
    if (this.#key === undefined) this.#key = `${this.node}/${this.incarnation}/${this.id}`;
    return this.#key;
  }

  toString(): string {
    return `<${this.node}.${this.id}>`;
  }

  toJSON(): { node: string; incarnation: string; id: number } {
    return { node: this.node, incarnation: this.incarnation, id: this.id };
  }

  /** Revives a pid from its wire shape, e.g. after decoding a frame. */
  static from(data: { node: string; incarnation: string; id: number }): Pid {
    return new Pid(data.node, data.incarnation, data.id);
  }
}

export function isPid(value: unknown): value is Pid {
  return value instanceof Pid;
}

export function samePid(a: Pid | undefined, b: Pid | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return a.id === b.id && a.node === b.node && a.incarnation === b.incarnation;
}
