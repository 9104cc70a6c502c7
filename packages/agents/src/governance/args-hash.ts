import { hash } from 'node:crypto';
import { canonicalJson } from '../canonical/canonical-json.js';
import { jsonString } from '../canonical/json-string.js';

/**
 * `canonicalHash(input)`: the SHA-256 (hex) of the canonical text of a call's arguments, the
 * hash an approval binds. Most tool arguments are one flat object of strings, numbers and
 * booleans; for those the canonical text is written here directly (keys sorted by code unit,
 * values as JSON, `-0` as `0`, `undefined` members left out: exactly what `canonicalJson` writes,
 * a test holds the two equal), which is several times cheaper on the path of every call.
 * Anything else goes through `canonicalJson`. A value that has no canonical form (a schema that
 * transformed the arguments into a class instance, say) has no hash: undefined, never a stand-in
 * text two different values could share, since an approval bound to one would then fit the other.
 */
export function argsHash(input: unknown): string | undefined {
  const text = argsText(input);
  return text === undefined ? undefined : hash('sha256', text, 'hex');
}

/** The text `argsHash` hashes: `canonicalJson(input)`, or undefined when it has none. */
export function argsText(input: unknown): string | undefined {
  const flat = flatText(input);
  if (flat !== undefined) return flat;
  try {
    return canonicalJson(input);
  } catch {
    return undefined;
  }
}

/**
 * `argsText` of a flat object (strings, numbers, booleans and null, `undefined` members left out),
 * else undefined. It has the same length in UTF-8 as `JSON.stringify(input)`: the same members,
 * written the same way, in another order.
 */
export function flatText(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const proto = Object.getPrototypeOf(input);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const record = input as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let text = '{';
  let first = true;
  for (const key of keys) {
    const value = record[key];
    let written: string;
    switch (typeof value) {
      case 'undefined':
        continue;
      case 'string':
        written = jsonString(value);
        break;
      case 'boolean':
        written = value ? 'true' : 'false';
        break;
      case 'number':
        if (!Number.isFinite(value)) return undefined;
        written = Object.is(value, -0) ? '0' : String(value);
        break;
      default:
        if (value !== null) return undefined;
        written = 'null';
    }
    text += `${first ? '' : ','}${jsonString(key)}:${written}`;
    first = false;
  }
  return `${text}}`;
}
