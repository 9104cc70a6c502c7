import type { DeadLetterEntry } from './dead-letter-store.js';
import { checkName, checkRecord, invalidOption } from './internal/check.js';

/** Selects entries: by predicate, or by the fields given (all must match). */
export type DeadLetterFilter<I> =
  | ((entry: DeadLetterEntry<I>) => boolean)
  | { readonly code?: string; readonly traceId?: string; readonly ids?: readonly string[] };

/** Validates a filter and makes its predicate. */
export function matcher<I>(filter: DeadLetterFilter<I>): (entry: DeadLetterEntry<I>) => boolean {
  if (typeof filter === 'function') return filter;
  checkRecord('filter', filter);
  if (filter.code !== undefined) checkName('filter.code', filter.code);
  if (filter.traceId !== undefined) checkName('filter.traceId', filter.traceId);
  if (filter.ids !== undefined && !Array.isArray(filter.ids)) {
    throw invalidOption('filter.ids', filter.ids, 'an array of ids');
  }
  return (e) =>
    (filter.code === undefined || e.code === filter.code) &&
    (filter.traceId === undefined || e.traceId === filter.traceId) &&
    (filter.ids === undefined || filter.ids.includes(e.id));
}
