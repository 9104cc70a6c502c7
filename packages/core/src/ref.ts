/**
 * A reference: a cluster-unique token naming one monitor, one call or one timer. It is a
 * branded string, so it is cheap to compare, to key a Map with and to send across the wire.
 */
export type Ref = string & { readonly __brand: 'Ref' };

export function makeRef(prefix: string, n: number): Ref {
  return `${prefix}#${n}` as Ref;
}
