import { storeJsonCopy } from './store-json.js';

/**
 * What the in-memory store keeps of a value: its JSON copy (so it gives back what a durable
 * store would), frozen all the way down, so neither the writer nor a reader can change what was
 * stored after the fact.
 */
export function frozenCopy<T>(value: T, what: string): T {
  return deepFreeze(storeJsonCopy(value, what));
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
