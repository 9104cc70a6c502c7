import type { Pid } from '@warden/core';

/**
 * What the timeline calls each process (its label, registered name or child id) and which pids
 * each label has had, oldest first. Never the incarnation: it is random, and a timeline must be
 * the same on every replay.
 */
export class ProcessNames {
  readonly #names = new Map<string, string>();
  readonly #labelled = new Map<string, Pid[]>();

  name(pid: Pid, name: string, overwrite: boolean): void {
    if (overwrite || !this.#names.has(pid.key)) this.#names.set(pid.key, name);
  }

  started(label: string, pid: Pid): void {
    const pids = this.#labelled.get(label);
    if (pids === undefined) this.#labelled.set(label, [pid]);
    else pids.push(pid);
    this.name(pid, label, false);
  }

  labelled(label: string): readonly Pid[] {
    return this.#labelled.get(label) ?? [];
  }

  nameOf(pid: Pid): string {
    return this.#names.get(pid.key) ?? `<${pid.node}.${pid.id}>`;
  }
}
