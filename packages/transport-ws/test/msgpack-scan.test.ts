// The structural check every frame passes before msgpackr sees it (docs/security.md).
import { Pid } from '@warden/core';
import fc from 'fast-check';
import { Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../src/internal/codec.js';
import { scanMsgpack } from '../src/internal/msgpack-scan.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const pid = new Pid('node-a', 'abc123', 7);

/** `depth` nested one-item arrays around nil. */
const nested = (depth: number) => Buffer.concat([Buffer.alloc(depth, 0x91), Buffer.from([0xc0])]);

/** Array32 headers claiming 2^32-1 items, nested `depth` times, and nothing else. */
const hugeHeaders = (depth: number) =>
  Buffer.concat(Array.from({ length: depth }, () => hex('dd ffffffff')));

describe('the frame scanner accepts what the encoder writes', () => {
  it('passes and round-trips any JSON value with pids inside', () => {
    // Through JSON first: MessagePack has no -0 (it travels as 0), and __proto__ keys are refused.
    const value = fc
      .jsonValue()
      .map((v) => JSON.parse(JSON.stringify(v ?? null)) as unknown)
      .filter((v) => !JSON.stringify(v).includes('"__proto__"'));
    fc.assert(
      fc.property(value, fc.boolean(), (v, withPid) => {
        const message = withPid ? { v, pid, list: [pid, { deep: pid }] } : v;
        const bytes = encode(message);
        expect(scanMsgpack(bytes)).toBeUndefined();
        const back = decode(bytes);
        expect(back.ok).toBe(true);
        expect((back as { value: unknown }).value).toEqual(message);
      }),
      { numRuns: 300 },
    );
  });

  it('revives pids as Pid instances at any depth', () => {
    const back = decode(encode({ a: [{ b: pid }] }));
    const revived = (back as { value: { a: [{ b: unknown }] } }).value.a[0].b;
    expect(revived).toBeInstanceOf(Pid);
    expect((revived as Pid).key).toBe(pid.key);
  });

  it('writes errors as data: WardenError as {_tag, code, message}, others without cause or stack', () => {
    const plain = Object.assign(new TypeError('bad', { cause: new Error('secret') }), {
      code: 'E_X',
    });
    const back = decode(encode({ plain }));
    expect((back as { value: unknown }).value).toEqual({
      plain: { tag: 'error', name: 'TypeError', message: 'bad', code: 'E_X' },
    });
  });

  it('carries dates, undefined and bytes, and BigInt as a decimal string', () => {
    const back = decode(
      encode({ d: new Date(5), u: undefined, b: Buffer.from([1, 2]), n: 2n ** 70n, s: 5n }),
    );
    expect((back as { value: unknown }).value).toEqual({
      d: new Date(5),
      u: undefined,
      b: Buffer.from([1, 2]),
      n: (2n ** 70n).toString(),
      s: '5',
    });
  });
});

describe('the frame scanner refuses hostile encodings', () => {
  it.each([
    ['a truncated value', hex('91 cb 0000'), 'truncated'],
    ['an array cut short', hex('93 01 02'), 'length header exceeds the frame'],
    ['trailing bytes', hex('91 01 00'), 'trailing bytes'],
    ['an empty frame', Buffer.alloc(0), 'truncated'],
    ['a string longer than the frame', hex('db 7fffffff 41'), 'truncated'],
    [
      'an array header claiming more items than bytes',
      hex('dd ffffffff 01 02'),
      'length header exceeds the frame',
    ],
    [
      'a map header claiming more entries than bytes',
      hex('df 00010000 a1 61 01'),
      'length header exceeds the frame',
    ],
    ['a record definition (0x72)', hex('d4 72 40 91 a1 61 40 01'), 'forbidden extension 114'],
    ['a two-byte record definition', hex('d5 72 40 00'), 'forbidden token 0xd5'],
    ['the BigInt extension (0x42)', hex('c7 08 42 0102030405060708'), 'forbidden extension'],
    ['the Error extension', hex('d4 65 00 93 a1 45 a1 6d c0'), 'forbidden extension 101'],
    ['the RegExp extension', hex('d4 78 00 92 a1 61 a0'), 'forbidden extension 120'],
    ['the Set extension', hex('d4 73 00 90'), 'forbidden extension 115'],
    ['a structured-clone pointer', hex('d6 70 00000001'), 'forbidden extension 112'],
    ['bundled strings', hex('d6 62 00000010'), 'forbidden extension 98'],
    ['the reserved byte 0xc1', hex('c1'), 'forbidden token 0xc1'],
    ['an ext32 value', hex('c9 00000001 05 00'), 'forbidden token 0xc9'],
    ['a key __proto__', hex('81 a9 5f5f70726f746f5f5f 01'), 'map key __proto__'],
    ['a nested key __proto__', hex('91 81 a9 5f5f70726f746f5f5f 80'), 'map key __proto__'],
    ['an array as a map key', hex('81 90 01'), 'map key is not a string or an integer'],
    [
      'a pid as a map key',
      hex('81 d4 57 00 93 a1 61 a1 62 01 01'),
      'map key is not a string or an integer',
    ],
  ])('refuses %s', (_what, bytes, reason) => {
    expect(scanMsgpack(bytes)).toBe(reason);
    expect(decode(bytes).ok).toBe(false);
  });

  it('refuses nesting deeper than the limit without recursing (100 000 levels)', () => {
    expect(scanMsgpack(nested(64))).toBeUndefined();
    expect(scanMsgpack(nested(65))).toBe('nesting too deep');
    expect(scanMsgpack(nested(100_000))).toBe('nesting too deep');
    expect(decode(nested(100_000)).ok).toBe(false);
  });

  it('refuses chained pid tags as nesting (they recurse in msgpackr)', () => {
    const chain = Buffer.concat([
      Buffer.concat(Array.from({ length: 200 }, () => hex('d4 57 00'))),
      hex('c0'),
    ]);
    expect(scanMsgpack(chain)).toBe('nesting too deep');
  });

  it('refuses nested length headers claiming huge arrays without growing memory (RSS < 50 MB)', () => {
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 20_000; i++) {
      const frame = hugeHeaders(1 + (i % 50));
      expect(decode(frame).ok).toBe(false);
    }
    // A header that fits: many small arrays whose claimed total exceeds the frame.
    const budget = Buffer.concat([hex('dc 0100'), Buffer.alloc(256, 0x9f)]);
    expect(scanMsgpack(budget)).toMatch(/exceed/);
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('is backed by msgpackr 2.1.4 refusing huge array headers even without the scanner', () => {
    const unpackr = new Unpackr({
      useRecords: false,
      structuredClone: false,
      int64AsType: 'string',
    });
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 2000; i++) expect(() => unpackr.unpack(hugeHeaders(20))).toThrow();
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const verdict = decode(bytes);
        return verdict.ok === true || typeof verdict.reason === 'string';
      }),
      { numRuns: 2000 },
    );
  });
});
