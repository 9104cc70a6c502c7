// The response cache keys a short request by its canonical text and a long one by its hash; these
// properties hold the cache and requestKey to the definition: canonicalJson of the request's
// fields (its SHA-256 for requestKey), and no key where canonicalJson refuses them.
// Replaying a failure: fast-check prints `seed` and `path`; run
//   FC_SEED=<seed> FC_PATH=<path> npx vitest run packages/agents/test/policy/request-key.test.ts
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalHash, type ModelRequest, ResponseCache, requestKey } from '../../src/index.js';
import { hasLeaves, plainLeaves } from '../../src/model/policy/request-leaves.js';
import { requestText } from '../../src/model/policy/request-text.js';

/** As tests/src/properties/replay-params.ts: FC_SEED and FC_PATH replay a printed failure. */
function replayParams<T>(params: fc.Parameters<T>): fc.Parameters<T> {
  const { FC_SEED, FC_PATH } = process.env;
  return {
    ...params,
    ...(FC_SEED !== undefined ? { seed: Number(FC_SEED) } : {}),
    ...(FC_PATH !== undefined ? { path: FC_PATH } : {}),
  };
}

/** The definition: `undefined` when canonicalJson refuses the fields. */
function definedKey(request: ModelRequest): string | undefined {
  try {
    return canonicalHash({
      system: request.system,
      messages: request.messages,
      tools: request.tools,
      toolChoice: request.toolChoice,
      maxOutputTokens: request.maxOutputTokens,
      temperature: request.temperature,
      stop: request.stop,
    });
  } catch {
    return undefined;
  }
}

/** Values canonicalJson takes and values it refuses, nested, with -0, dates and odd keys. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme', maxLength: 4 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.double(),
    fc.constantFrom(-0, 0, 1e21, Number.NaN, Number.POSITIVE_INFINITY),
    fc.date({ noInvalidDate: true }),
    fc.constantFrom<unknown>(() => 1, Symbol('s'), 1n, new Map()),
  ),
  tree: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom('a', 'b', '__x')),
      tie('tree'),
      {
        maxKeys: 4,
      },
    ),
  ),
})).tree;

const request: fc.Arbitrary<ModelRequest> = fc
  .record(
    {
      system: fc.oneof(fc.string(), value),
      messages: fc.oneof(
        fc.array(
          fc.record({
            role: fc.constantFrom('user', 'assistant'),
            content: fc.array(fc.record({ type: fc.constant('text'), text: fc.string() })),
          }),
          { maxLength: 3 },
        ),
        value,
      ),
      tools: value,
      toolChoice: fc.oneof(fc.constantFrom('auto', 'none'), value),
      maxOutputTokens: fc.oneof(fc.integer(), value),
      temperature: fc.oneof(fc.double(), value),
      stop: value,
    },
    { requiredKeys: ['messages'] },
  )
  .map((r) => r as unknown as ModelRequest);

describe('request keys', () => {
  it('are the SHA-256 of canonicalJson of the fields, or undefined when it refuses them', () => {
    fc.assert(
      fc.property(request, (r) => {
        expect(requestKey(r)).toBe(definedKey(r));
      }),
      replayParams({ numRuns: 2000 }),
    );
  });

  it('are the same for requests of the common shape, written directly, and for near misses of it', () => {
    // the cache writes a plain request (text parts, numbers, strings) itself: hold it to the
    // definition on requests that are that shape, or differ from it by one detail
    const extra = fc.option(fc.dictionary(fc.constantFrom('name', 'id', 'text', 'role'), value), {
      nil: undefined,
    });
    const part = fc
      .tuple(fc.record({ type: fc.constantFrom('text', 'tool-call'), text: fc.string() }), extra)
      .map(([p, more]) => (more === undefined ? p : { ...p, ...more }));
    const message = fc
      .tuple(
        fc.record({
          role: fc.oneof(fc.constantFrom('user', 'assistant', 'tool'), value),
          content: fc.oneof(fc.array(part, { maxLength: 3 }), value),
        }),
        extra,
      )
      .map(([m, more]) => (more === undefined ? m : { ...more, ...m }));
    const plain = fc
      .record(
        {
          system: fc.oneof(fc.string(), fc.constant(undefined), value),
          messages: fc.array(message, { maxLength: 3 }),
          toolChoice: fc.constantFrom(undefined, 'auto', 'none', 'required'),
          maxOutputTokens: fc.oneof(fc.integer(), fc.constantFrom(-0, Number.NaN, 1e21)),
          temperature: fc.oneof(fc.double(), fc.constant(undefined)),
          stop: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.constant(undefined), value),
        },
        { requiredKeys: ['messages'] },
      )
      .map((r) => r as unknown as ModelRequest);
    fc.assert(
      fc.property(plain, (r) => {
        expect(requestKey(r)).toBe(definedKey(r));
      }),
      replayParams({ numRuns: 500 }),
    );
  });

  it('refuse a cycle and nesting deeper than canonicalJson allows', () => {
    const cyclic: Record<string, unknown> = { type: 'text', text: 'x' };
    cyclic.self = cyclic;
    expect(requestKey({ messages: [{ role: 'user', content: [cyclic] }] } as never)).toBe(
      undefined,
    );
    let deep: unknown = 'bottom';
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(requestKey({ messages: deep } as never)).toBe(undefined);
    let shallow: unknown = 'bottom';
    for (let i = 0; i < 60; i++) shallow = [shallow];
    const ok = { messages: shallow } as never;
    expect(requestKey(ok)).toBe(definedKey(ok));
    expect(requestKey(ok)).not.toBe(undefined);
  });

  it('make the cache answer a request exactly when canonicalJson finds it equal to one stored', () => {
    fc.assert(
      fc.property(request, request, (stored, asked) => {
        const cache = new ResponseCache({ clock: new TestClock() });
        const response = { marker: 'stored' } as never;
        cache.set(stored, response);
        const storedKey = definedKey(stored);
        const expected = storedKey !== undefined && storedKey === definedKey(asked);
        expect(cache.get(asked) === response).toBe(expected);
        if (storedKey !== undefined) expect(cache.get(stored)).toBe(response);
      }),
      replayParams({ numRuns: 1000 }),
    );
  });

  it('tells long requests apart, hashed or not', () => {
    const cache = new ResponseCache({ clock: new TestClock() });
    const long = (text: string): ModelRequest => ({
      messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    });
    const a = long('a'.repeat(2000));
    const b = long(`${'a'.repeat(1999)}b`);
    cache.set(a, { marker: 'a' } as never);
    cache.set(b, { marker: 'b' } as never);
    expect(cache.get(long('a'.repeat(2000)))).toEqual({ marker: 'a' });
    expect(cache.get(long(`${'a'.repeat(1999)}b`))).toEqual({ marker: 'b' });
    expect(cache.size).toBe(2);
  });

  it('tell a plain request by its leaves: equal leaves, equal canonical text', () => {
    // the cache recognises the request it stored last by its leaves, without writing its text
    const text = fc.constantFrom('', 'a', 'b', 'é', '"', '\u0000', 'a b');
    const base = fc.record(
      {
        system: fc.oneof(text, fc.constant(undefined), fc.constant(1)),
        messages: fc.array(
          fc.record({
            role: fc.constantFrom('user', 'assistant'),
            content: fc.array(fc.record({ type: fc.constant('text'), text }), { maxLength: 2 }),
          }),
          { maxLength: 2 },
        ),
        toolChoice: fc.constantFrom(undefined, 'auto'),
        maxOutputTokens: fc.constantFrom(undefined, 0, -0, 1, 16, Number.NaN),
        temperature: fc.constantFrom(undefined, 0, 0.5),
        stop: fc.oneof(fc.constant(undefined), fc.array(text, { maxLength: 2 })),
      },
      { requiredKeys: ['messages'] },
    );
    // pairs that are often equal, often one detail apart (a text moved, a list split)
    const pair = fc.oneof(
      fc.tuple(base, base),
      base.map((r) => [r, structuredClone(r)] as const),
      fc.tuple(base, base).map(([a, b]) => [a, { ...a, messages: b.messages }] as const),
      fc.tuple(base, base).map(([a, b]) => [a, { ...a, stop: b.stop }] as const),
    );
    fc.assert(
      fc.property(pair, ([a, b]) => {
        const ra = a as unknown as ModelRequest;
        const rb = b as unknown as ModelRequest;
        const leaves = plainLeaves(ra);
        if (leaves === undefined) return;
        expect(requestText(ra)).not.toBe(undefined);
        expect(hasLeaves(ra, leaves)).toBe(true);
        if (hasLeaves(rb, leaves)) expect(requestText(rb)).toBe(requestText(ra));
        if (plainLeaves(rb) !== undefined && requestText(rb) === requestText(ra)) {
          expect(hasLeaves(rb, leaves)).toBe(true);
        }
      }),
      replayParams({ numRuns: 3000 }),
    );
  });

  it('make the cache answer as canonicalJson says after any sequence of answers stored', () => {
    // requests from a small pool, often asked again in a row (the cache then knows the newest
    // by its leaves): after every answer stored, each request of the pool gets the last answer
    // stored under its definition's key, or none
    const pool: ModelRequest[] = [
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }] },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }] },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'b' }] }] },
      { messages: [{ role: 'assistant', content: [{ type: 'text', text: 'a' }] }] },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }], system: 'a' },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }], maxOutputTokens: 0 },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }], maxOutputTokens: -0 },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'ab' }] }] },
      {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'a' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'b' }] },
        ],
      },
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 'b' },
            ],
          },
        ],
      },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }], stop: ['a'] },
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }], stop: [] },
      {
        messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }] }],
        tools: [{ name: 't', inputSchema: {} }],
      },
    ];
    const step = fc.record({
      i: fc.nat(pool.length - 1),
      again: fc.nat(2),
      get: fc.nat(3).map((k) => k === 0),
    });
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        (steps, max) => {
          const cache = new ResponseCache({ clock: new TestClock(), maxEntries: max });
          const model = new Map<string, number>();
          let n = 0;
          for (const { i, again, get } of steps) {
            const r = pool[i] as ModelRequest;
            for (let k = 0; k <= again; k++) {
              n++;
              cache.set(r, { n } as never);
              const key = definedKey(r) as string;
              model.delete(key);
              model.set(key, n);
              while (model.size > max) model.delete(model.keys().next().value as string);
            }
            if (get) check();
          }
          check();

          /** Asks for every request of the pool; a hit is the most recently used, in both. */
          function check(): void {
            for (const asked of pool) {
              const key = definedKey(asked) as string;
              const expected = model.get(key);
              expect((cache.get(asked) as { n?: number } | undefined)?.n).toBe(expected);
              if (expected !== undefined) {
                model.delete(key);
                model.set(key, expected);
              }
            }
          }
        },
      ),
      replayParams({ numRuns: 1000 }),
    );
  });
});
