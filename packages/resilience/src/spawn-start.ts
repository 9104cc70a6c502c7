import type { ChildSpec } from '@warden/core';
import { invalidOption } from './internal/check.js';

/**
 * How to start the child: a child spec without `id` (the key becomes the id) for a supervisor
 * with static children, or `{ extra }` for a `simple_one_for_one` supervisor. Dynamic children
 * should be `temporary`: when one exits, the guard frees its key (it cannot tell a restarted
 * dynamic child from a new one), whereas a static child restarted by its supervisor keeps its key.
 */
export type SpawnStart = Omit<ChildSpec, 'id'> | { readonly extra: unknown };

/** A child spec without `id`, or `{ extra }`. */
export function checkStart(start: SpawnStart): void {
  const spec = start as { start?: unknown; id?: unknown } | null;
  const ok =
    typeof spec === 'object' &&
    spec !== null &&
    ('extra' in spec ||
      typeof spec.start === 'function' ||
      (typeof spec.start === 'object' && spec.start !== null)) &&
    spec.id === undefined;
  if (!ok) throw invalidOption('start', start, 'a child spec without id, or { extra }');
}
