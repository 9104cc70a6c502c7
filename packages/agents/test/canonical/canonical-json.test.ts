import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CanonicalFormError,
  canonicalHash,
  canonicalJson,
} from '../../src/canonical/canonical-json.js';
import { jsonString } from '../../src/canonical/json-string.js';

/** Rebuilds an object with its keys in another order, recursively. */
function shuffled(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((v) => shuffled(v, seed));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const rotated = entries.map((_, i) => entries[(i + seed) % entries.length] as [string, unknown]);
  return Object.fromEntries(rotated.reverse().map(([k, v]) => [k, shuffled(v, seed + 1)]));
}

describe('canonicalJson', () => {
  it('gives the same text whatever order the keys were written in', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(20), (value, seed) => {
        expect(canonicalJson(shuffled(value, seed))).toBe(canonicalJson(value));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips through JSON.parse to an equal value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('writes each leaf as JSON does, keys sorted by code unit', () => {
    // The oracle spells the rule out: JSON.stringify for leaves and keys, nothing else.
    const oracle = (v: unknown): string => {
      if (Array.isArray(v))
        return `[${v.map((x) => (x === undefined ? 'null' : oracle(x))).join(',')}]`;
      if (typeof v !== 'object' || v === null) return JSON.stringify(v);
      const record = v as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${keys.map((k) => `${JSON.stringify(k)}:${oracle(record[k])}`).join(',')}}`;
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(oracle(value));
      }),
      { numRuns: 300 },
    );
  });

  it('writes dates as JSON does and refuses what is not a plain object, at its path', () => {
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(canonicalJson({ at, n: [1, { z: -0 }] })).toBe(
      '{"at":"2026-01-02T03:04:05.000Z","n":[1,{"z":0}]}',
    );
    expect(() => canonicalJson({ a: [{ m: new Map() }] })).toThrow(
      /not a plain object at \/a\/0\/m/,
    );
    const cyclic: unknown[] = [1];
    cyclic.push({ back: cyclic });
    expect(() => canonicalJson({ list: cyclic })).toThrow(/cycle at \/list\/1\/back/);
  });

  it('sorts keys, writes -0 as 0 and leaves undefined members out', () => {
    expect(canonicalJson({ b: 1, a: [-0, undefined], c: undefined })).toBe('{"a":[0,null],"b":1}');
  });

  it('refuses cycles, functions, bigints and non-finite numbers with the path', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(CanonicalFormError);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/at \/f/);
    expect(() => canonicalJson([1n])).toThrow(/bigint/);
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/non-finite/);
  });

  it('refuses nesting deeper than 64 levels instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/nesting deeper/);
  });

  it('hashes equal arguments equally and different arguments differently', () => {
    expect(canonicalHash({ path: '/a', force: true })).toBe(
      canonicalHash({ force: true, path: '/a' }),
    );
    expect(canonicalHash({ path: '/a' })).not.toBe(canonicalHash({ path: '/b' }));
    expect(canonicalHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('jsonString', () => {
  it('writes any string exactly as JSON.stringify does, lone surrogates and controls included', () => {
    const codeUnits = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 })
      .map((units) => String.fromCharCode(...units));
    const edgy = fc.constantFrom(
      '',
      'a"b',
      'a\\b',
      '\n',
      '\u2028',
      '\ud83d\ude00',
      '\ud800x',
      'x\udfff',
    );
    fc.assert(
      fc.property(fc.oneof(codeUnits, fc.string({ unit: 'binary' }), edgy), (text) => {
        expect(jsonString(text)).toBe(JSON.stringify(text));
      }),
      { numRuns: 1_000 },
    );
  });
});
