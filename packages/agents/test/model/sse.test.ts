import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isModelCallError, parseSse, type SseEvent, SseParser } from '../../src/index.js';
import { fixture } from './stub-server.js';

const encoder = new TextEncoder();

/** Replays a failure fast-check printed: FC_SEED=<seed> FC_PATH=<path>. */
function replay<T>(params: fc.Parameters<T>): fc.Parameters<T> {
  const { FC_SEED, FC_PATH } = process.env;
  return {
    ...params,
    ...(FC_SEED === undefined ? {} : { seed: Number(FC_SEED) }),
    ...(FC_PATH === undefined ? {} : { path: FC_PATH }),
  };
}

/** Parses `bytes` cut at `cuts`, collecting events; the error thrown, if any, is returned. */
function parse(bytes: Uint8Array, cuts: readonly number[] = [], maxEventLength?: number) {
  const parser = new SseParser(maxEventLength === undefined ? {} : { maxEventLength });
  const events: SseEvent[] = [];
  const emit = (e: SseEvent) => events.push(e);
  let from = 0;
  try {
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      parser.push(bytes.subarray(from, cut), emit);
      from = cut;
    }
    parser.push(bytes.subarray(from), emit);
    parser.end(emit);
    return { events, error: undefined };
  } catch (error) {
    return { events, error };
  }
}

const text = (s: string, cuts: readonly number[] = []) => parse(encoder.encode(s), cuts);
const data = (s: string) => text(s).events.map((e) => e.data);

describe('SseParser: the WHATWG event stream format', () => {
  it('joins the data lines of one event with \\n', () => {
    expect(data('data: a\ndata: b\n\n')).toEqual(['a\nb']);
  });

  it('ends lines at LF, CRLF and CR alike', () => {
    expect(data('data: a\r\n\r\ndata: b\r\rdata: c\n\n')).toEqual(['a', 'b', 'c']);
  });

  it('treats a CRLF split between two chunks as one line end', () => {
    const bytes = encoder.encode('data: a\r\n\r\ndata: b\r\n\r\n');
    expect(parse(bytes, [8]).events.map((e) => e.data)).toEqual(['a', 'b']);
    expect(parse(bytes, [8, 9, 10]).events.map((e) => e.data)).toEqual(['a', 'b']);
  });

  it('names events with event:, and calls unnamed ones message', () => {
    const { events } = text('event: ping\ndata: {}\n\ndata: x\n\n');
    expect(events.map((e) => e.event)).toEqual(['ping', 'message']);
  });

  it('skips comments and retry:, and dispatches nothing for an event without data', () => {
    expect(data(': keep-alive\n\nretry: 100\n\nevent: lonely\n\ndata: x\n\n')).toEqual(['x']);
    expect(text('event: lonely\n\ndata: x\n\n').events[0]?.event).toBe('message');
  });

  it('drops one space after the colon, keeps the rest, and reads a bare field as empty', () => {
    expect(data('data:  two\n\ndata:none\n\ndata\n\n')).toEqual([' two', 'none', '']);
  });

  it('keeps the last event id across events', () => {
    const { events } = text('id: 7\ndata: a\n\ndata: b\n\n');
    expect(events.map((e) => e.id)).toEqual(['7', '7']);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = encoder.encode('data: café ☕ 𝄞\n\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(parse(bytes, [cut]).events[0]?.data).toBe('café ☕ 𝄞');
    }
  });

  it('yields the same events however the bytes are cut (property)', () => {
    const recorded = encoder.encode(
      fixture('anthropic-tool-use.sse.txt') + fixture('openai-text.sse.txt'),
    );
    const whole = parse(recorded).events;
    expect(whole.length).toBe(19);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: recorded.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          expect(parse(recorded, cuts).events).toEqual(whole);
        },
      ),
      replay({ numRuns: 200 }),
    );
  });

  it('agrees with itself on any line endings (property)', () => {
    const line = fc.stringMatching(/^[a-z0-9 {}":é☕]{0,20}$/);
    fc.assert(
      fc.property(
        fc.array(fc.array(line, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        (events, eol) => {
          const wire = events
            .map((lines) => lines.map((l) => `data: ${l}${eol}`).join('') + eol)
            .join('');
          expect(data(wire)).toEqual(events.map((lines) => lines.join('\n')));
        },
      ),
      replay({ numRuns: 200 }),
    );
  });
});

describe('SseParser: bounds and cuts', () => {
  it('refuses a line longer than the limit, even before it ends', () => {
    const parser = new SseParser({ maxEventLength: 100 });
    const error = (() => {
      try {
        parser.push(encoder.encode(`data: ${'x'.repeat(200)}`), () => {});
      } catch (e) {
        return e;
      }
    })();
    expect(isModelCallError(error, 'server')).toBe(true);
  });

  it('reassembles a long line sent in tiny chunks, and refuses it past the limit', () => {
    const long = encoder.encode(`data: ${'x'.repeat(50_000)}\n\n`);
    const cuts = Array.from({ length: 5000 }, (_, i) => (i + 1) * 10);
    expect(parse(long, cuts).events[0]?.data.length).toBe(50_000);
    expect(isModelCallError(parse(long, cuts, 10_000).error, 'server')).toBe(true);
  });

  it('refuses an event whose data lines add up past the limit', () => {
    const { error } = parse(encoder.encode(`${'data: 0123456789\n'.repeat(20)}\n`), [], 100);
    expect(isModelCallError(error, 'server')).toBe(true);
  });

  it('throws network when the stream ends in the middle of an event', () => {
    const cut = text(fixture('openai-cut-mid-event.sse.txt'));
    expect(cut.events).toHaveLength(1);
    expect(isModelCallError(cut.error, 'network')).toBe(true);
    expect(isModelCallError(text('data: complete line\n').error, 'network')).toBe(true);
    expect(isModelCallError(text('event: only\n').error, 'network')).toBe(true);
  });

  it('ends quietly between events', () => {
    expect(text('data: a\n\n: trailing comment\n').error).toBeUndefined();
  });
});

describe('parseSse', () => {
  it('reads events from any async source of bytes', async () => {
    async function* chunks() {
      yield encoder.encode('event: a\ndata: 1\n');
      yield encoder.encode('\ndata: 2\n\n');
    }
    const seen: string[] = [];
    for await (const e of parseSse(chunks())) seen.push(`${e.event}:${e.data}`);
    expect(seen).toEqual(['a:1', 'message:2']);
  });
});
