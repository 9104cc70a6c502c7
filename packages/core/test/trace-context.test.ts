// A trace context that came from another node, checked as data.
// A failing property prints its seed and path; replay it with
//   FC_SEED=<seed> FC_PATH=<path> npx vitest run packages/core/test/trace-context.test.ts
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTraceContext, TRACE_CONTEXT_LIMITS } from '../src/index.js';

/** As tests/src/properties/replay-params.ts: FC_SEED and FC_PATH replay a printed failure. */
function replayParams<T>(params: fc.Parameters<T>): fc.Parameters<T> {
  const { FC_SEED, FC_PATH } = process.env;
  return {
    ...params,
    ...(FC_SEED !== undefined ? { seed: Number(FC_SEED) } : {}),
    ...(FC_PATH !== undefined ? { path: FC_PATH } : {}),
  };
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const PARENT = `00-${TRACE}-${SPAN}-01`;

describe('checkTraceContext', () => {
  it('keeps a W3C traceparent and its tracestate, in a fresh object', () => {
    const sent = {
      traceparent: PARENT,
      tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
      x: 1,
    };
    const { context, dropped } = checkTraceContext(sent);
    expect(dropped).toBeUndefined();
    expect(context).toEqual({ traceparent: PARENT, tracestate: sent.tracestate });
    expect(context).not.toBe(sent);
    expect(checkTraceContext({ traceparent: PARENT, tracestate: '' }).context).toEqual({
      traceparent: PARENT,
    });
  });

  it('takes a later version with fields appended, as the recommendation asks', () => {
    const later = `cc-${TRACE}-${SPAN}-01-what-the-future-will-bring`;
    expect(checkTraceContext({ traceparent: later })).toEqual({
      context: { traceparent: later },
      dropped: undefined,
    });
  });

  it.each([
    ['not an object', 'x', 'malformed-context'],
    ['null', null, 'malformed-context'],
    ['an array', [PARENT], 'malformed-context'],
    ['no traceparent', { tracestate: 'a=b' }, 'malformed-traceparent'],
    ['a number', { traceparent: 7 }, 'malformed-traceparent'],
    ['upper-case hex', { traceparent: PARENT.toUpperCase() }, 'malformed-traceparent'],
    ['version ff', { traceparent: `ff-${TRACE}-${SPAN}-01` }, 'malformed-traceparent'],
    ['version 00 with more fields', { traceparent: `${PARENT}-x` }, 'malformed-traceparent'],
    [
      'an all-zero trace id',
      { traceparent: `00-${'0'.repeat(32)}-${SPAN}-01` },
      'malformed-traceparent',
    ],
    [
      'an all-zero parent id',
      { traceparent: `00-${TRACE}-${'0'.repeat(16)}-01` },
      'malformed-traceparent',
    ],
    [
      'a short trace id',
      { traceparent: `00-${TRACE.slice(1)}-${SPAN}-01` },
      'malformed-traceparent',
    ],
    [
      'an oversized traceparent',
      { traceparent: `cc-${TRACE}-${SPAN}-01-${'x'.repeat(TRACE_CONTEXT_LIMITS.traceparent)}` },
      'oversized-traceparent',
    ],
  ])('drops a context with %s', (_, value, reason) => {
    expect(checkTraceContext(value)).toEqual({ context: undefined, dropped: reason });
  });

  it.each([
    ['a tracestate that is not a string', 42, 'malformed-tracestate'],
    ['a tracestate with a control character', 'a=b\nc=d', 'malformed-tracestate'],
    ['a tracestate with a non-ASCII character', 'a=é', 'malformed-tracestate'],
    [
      'an oversized tracestate',
      'k=v,'.repeat(TRACE_CONTEXT_LIMITS.tracestate / 4 + 1),
      'oversized-tracestate',
    ],
  ])('drops only %s, keeping the traceparent', (_, tracestate, reason) => {
    expect(checkTraceContext({ traceparent: PARENT, tracestate })).toEqual({
      context: { traceparent: PARENT },
      dropped: reason,
    });
  });

  it('drops an object whose fields throw when read', () => {
    const hostile = Object.defineProperty({}, 'traceparent', {
      get() {
        throw new Error('boom');
      },
    });
    expect(checkTraceContext(hostile)).toEqual({
      context: undefined,
      dropped: 'malformed-context',
    });
  });

  it('never throws, and what it keeps passes again unchanged (property)', () => {
    const hex = (n: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
    const traceparent = fc.oneof(
      fc.tuple(hex(2), hex(32), hex(16), hex(2)).map((parts) => parts.join('-')),
      fc.string({ maxLength: 80 }),
    );
    const value = fc.oneof(
      fc.anything(),
      fc.record(
        { traceparent, tracestate: fc.oneof(fc.string({ maxLength: 600 }), fc.anything()) },
        { requiredKeys: ['traceparent'] },
      ),
    );
    fc.assert(
      fc.property(value, (v) => {
        const { context, dropped } = checkTraceContext(v);
        if (context === undefined) {
          expect(dropped).toBeDefined();
          return;
        }
        expect(context.traceparent.length).toBeLessThanOrEqual(TRACE_CONTEXT_LIMITS.traceparent);
        expect((context.tracestate ?? '').length).toBeLessThanOrEqual(
          TRACE_CONTEXT_LIMITS.tracestate,
        );
        expect(checkTraceContext(context)).toEqual({ context, dropped: undefined });
      }),
      replayParams({ numRuns: 500 }),
    );
  });
});
