import { ModelCallError } from './model-call-error.js';

/** One server-sent event. `event` is `'message'` when the stream named no type. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  /** The last event id seen on the stream (it carries over, as the spec says). */
  readonly id: string | undefined;
}

export interface SseParserOptions {
  /** Bound on one line and on one event's data, in UTF-16 code units. */
  readonly maxEventLength?: number;
  /** Named in the errors the parser raises. */
  readonly provider?: string;
  readonly model?: string;
}

export const SSE_DEFAULTS = Object.freeze({
  /** 4 Mi code units: far above any provider's event, far below what would hurt a node. */
  maxEventLength: 4 * 1024 * 1024,
});

const LF = 10;
const SPACE = 32;
const COLON = 58;

/**
 * A server-sent events parser after the WHATWG spec (`text/event-stream`): bytes in, events out.
 * Lines end with CRLF, LF or CR, also a CRLF split between two chunks; `data:` lines of one event
 * are joined with `\n`; `event:` names it; `id:` is kept; comments (`:` lines) and `retry:` are
 * skipped; a field without a colon has an empty value; one space after the colon is dropped.
 * Bytes are decoded by one streaming `TextDecoder`, so a multi-byte character split across
 * chunks arrives whole, and lines are cut with `indexOf`, never built a byte at a time.
 *
 * Unlike a browser's EventSource, it refuses to lose anything quietly: a line or an event longer
 * than `maxEventLength` is a `ModelCallError` (`server`: no provider sends that), and a stream
 * that ends inside an event (`end()` with a partial line or undispatched fields) is a
 * `ModelCallError` (`network`: the connection was cut), never a silent end.
 */
export class SseParser {
  readonly #max: number;
  readonly #provider: string | undefined;
  readonly #model: string | undefined;
  readonly #decoder = new TextDecoder('utf-8');
  /** The pieces of a line whose end has not arrived yet. */
  readonly #rest: string[] = [];
  #restLength = 0;
  /** The previous chunk ended with CR: an LF starting this one belongs to that line end. */
  #skipLF = false;
  #type = '';
  #data = '';
  #hasData = false;
  #lastId: string | undefined = undefined;

  constructor(options: SseParserOptions = {}) {
    this.#max = options.maxEventLength ?? SSE_DEFAULTS.maxEventLength;
    this.#provider = options.provider;
    this.#model = options.model;
  }

  /** Feeds one chunk; `emit` is called for every event it completes, in order. */
  push(chunk: Uint8Array, emit: (event: SseEvent) => void): void {
    this.#text(this.#decoder.decode(chunk, { stream: true }), emit);
  }

  /** The stream has ended: throws unless it ended between two events. */
  end(emit: (event: SseEvent) => void): void {
    this.#text(this.#decoder.decode(), emit);
    if (this.#restLength > 0 || this.#hasData || this.#type !== '') {
      throw this.#error('network', 'the event stream ended in the middle of an event');
    }
  }

  #text(input: string, emit: (event: SseEvent) => void): void {
    let text = input;
    if (this.#skipLF && text.length > 0) {
      this.#skipLF = false;
      if (text.charCodeAt(0) === LF) text = text.slice(1);
    }
    if (text.length === 0) return;
    let lf = text.indexOf('\n');
    let cr = text.indexOf('\r');
    if (lf === -1 && cr === -1) {
      // Still inside one line: keep the piece, join once the line ends (linear, however small
      // the chunks of a long line are).
      this.#rest.push(text);
      this.#restLength += text.length;
      if (this.#restLength > this.#max) {
        throw this.#error('server', `an event stream line exceeds ${this.#max} characters`);
      }
      return;
    }
    if (this.#restLength > 0) {
      const head = this.#rest.join('');
      text = head + text;
      if (lf !== -1) lf += head.length;
      if (cr !== -1) cr += head.length;
      this.#rest.length = 0;
      this.#restLength = 0;
    }
    const length = text.length;
    let pos = 0;
    while (lf !== -1 || cr !== -1) {
      const eol = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
      this.#line(text, pos, eol, emit);
      if (eol === cr) {
        if (eol + 1 === length) {
          this.#skipLF = true;
          pos = length;
        } else {
          pos = text.charCodeAt(eol + 1) === LF ? eol + 2 : eol + 1;
        }
      } else {
        pos = eol + 1;
      }
      if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
      if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
    }
    if (pos < length) {
      if (length - pos > this.#max) {
        throw this.#error('server', `an event stream line exceeds ${this.#max} characters`);
      }
      this.#rest.push(text.slice(pos));
      this.#restLength = length - pos;
    }
  }

  #line(text: string, start: number, end: number, emit: (event: SseEvent) => void): void {
    if (start === end) {
      this.#dispatch(emit);
      return;
    }
    if (text.charCodeAt(start) === COLON) return;
    if (end - start > this.#max) {
      throw this.#error('server', `an event stream line exceeds ${this.#max} characters`);
    }
    let colon = text.indexOf(':', start);
    if (colon === -1 || colon > end) colon = end;
    const nameLength = colon - start;
    let from = colon + 1;
    if (from < end && text.charCodeAt(from) === SPACE) from++;
    if (nameLength === 4 && text.startsWith('data', start)) {
      const value = from >= end ? '' : text.slice(from, end);
      if (this.#hasData) {
        if (this.#data.length + value.length >= this.#max) {
          throw this.#error('server', `an event exceeds ${this.#max} characters`);
        }
        this.#data = `${this.#data}\n${value}`;
      } else {
        this.#data = value;
        this.#hasData = true;
      }
    } else if (nameLength === 5 && text.startsWith('event', start)) {
      this.#type = from >= end ? '' : text.slice(from, end);
    } else if (nameLength === 2 && text.startsWith('id', start)) {
      const value = from >= end ? '' : text.slice(from, end);
      if (!value.includes('\0')) this.#lastId = value;
    }
    // `retry:` and unknown fields are ignored: a model call never reconnects to resume.
  }

  #dispatch(emit: (event: SseEvent) => void): void {
    if (!this.#hasData) {
      this.#type = '';
      return;
    }
    const event: SseEvent = {
      event: this.#type === '' ? 'message' : this.#type,
      data: this.#data,
      id: this.#lastId,
    };
    this.#type = '';
    this.#data = '';
    this.#hasData = false;
    emit(event);
  }

  #error(kind: 'network' | 'server', message: string): ModelCallError {
    return new ModelCallError(kind, `${this.#provider ?? 'model'}: ${message}`, {
      ...(this.#provider === undefined ? {} : { provider: this.#provider }),
      ...(this.#model === undefined ? {} : { model: this.#model }),
    });
  }
}

/**
 * The events of a byte stream (a fetch body, a socket, recorded chunks), as an async iterable.
 * Throws the parser's `ModelCallError`s; what the source throws passes through unchanged.
 */
export async function* parseSse(
  source: AsyncIterable<Uint8Array>,
  options: SseParserOptions = {},
): AsyncGenerator<SseEvent, void, undefined> {
  const parser = new SseParser(options);
  const ready: SseEvent[] = [];
  const emit = (event: SseEvent): void => {
    ready.push(event);
  };
  for await (const chunk of source) {
    parser.push(chunk, emit);
    for (let i = 0; i < ready.length; i++) yield ready[i] as SseEvent;
    ready.length = 0;
  }
  parser.end(emit);
  for (const event of ready) yield event;
}
