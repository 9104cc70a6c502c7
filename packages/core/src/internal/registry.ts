import { invalidArgument, WardenError } from '../errors.js';
import type { Pid } from '../pid.js';

/** What the registry needs of a process: its pid, whether it is alive, its name slot. */
export interface Registrant {
  readonly pid: Pid;
  readonly dead: boolean;
  name: string | undefined;
}

/**
 * Local names. A name belongs to at most one live process and a process has at most one name;
 * the name is released when the process exits.
 */
export class Registry<P extends Registrant> {
  readonly #byName = new Map<string, P>();
  readonly #onRegister: (proc: P, name: string) => void;

  constructor(onRegister: (proc: P, name: string) => void) {
    this.#onRegister = onRegister;
  }

  register(name: string, proc: P): void {
    if (typeof name !== 'string' || name.length === 0) {
      throw invalidArgument('name', name, 'a non-empty string');
    }
    if (proc.dead)
      throw new WardenError('ERR_NOPROC', `cannot register ${name}: ${proc.pid} is not alive`);
    const holder = this.#byName.get(name);
    if (holder !== undefined && holder !== proc) {
      throw new WardenError(
        'ERR_NAME_TAKEN',
        `name ${name} is already registered to ${holder.pid}`,
        { pid: holder.pid },
      );
    }
    if (proc.name !== undefined && proc.name !== name) {
      throw new WardenError('ERR_BAD_NAME', `${proc.pid} is already registered as ${proc.name}`);
    }
    this.#byName.set(name, proc);
    proc.name = name;
    this.#onRegister(proc, name);
  }

  unregister(name: string): boolean {
    const proc = this.#byName.get(name);
    if (proc === undefined) return false;
    this.#byName.delete(name);
    proc.name = undefined;
    return true;
  }

  lookup(name: string): P | undefined {
    return this.#byName.get(name);
  }

  /** Called when a process exits. */
  release(proc: P): void {
    if (proc.name !== undefined && this.#byName.get(proc.name) === proc)
      this.#byName.delete(proc.name);
  }

  names(): string[] {
    return [...this.#byName.keys()];
  }
}
