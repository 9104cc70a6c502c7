/**
 * Policies and options that take the general path only: every call through the retry's
 * `execute`, no first attempt made inline. The fast path must be observably the same as the
 * general one; the property test that holds them to it runs both, and this is how it asks for
 * the general one. Nothing outside the tests marks anything.
 */
const GENERAL = new WeakSet<object>();

/** Marks `target` (a policy's options, or a policy) for the general path; returns it. */
export function onGeneralPath<T extends object>(target: T): T {
  GENERAL.add(target);
  return target;
}

export function takesGeneralPath(target: object): boolean {
  return GENERAL.has(target);
}
