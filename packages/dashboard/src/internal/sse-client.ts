/** The part of a response (or any writable stream) a client writes to. */
export interface SseSink {
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  destroy(): unknown;
}

/**
 * One live connection and its bounded queue. Writes go straight to the socket while it keeps
 * up; once the socket pushes back (`write` returned false) further messages wait here, and a
 * client whose queue is full is dropped rather than buffered: a page that stopped reading costs
 * at most `capacity` messages of memory, never more. The page reconnects and starts from a
 * fresh snapshot, so nothing it shows is lost by the drop.
 */
export class SseClient {
  readonly #queue: string[] = [];
  #blocked = false;
  #closed = false;

  constructor(
    readonly sink: SseSink,
    readonly capacity: number,
    readonly onDrop: (client: SseClient) => void,
  ) {}

  get closed(): boolean {
    return this.#closed;
  }

  /** Messages waiting for the socket. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Sends or queues `chunk`; false once the client is closed or was just dropped. */
  send(chunk: string): boolean {
    if (this.#closed) return false;
    if (this.#blocked) {
      if (this.#queue.length >= this.capacity) {
        this.close();
        this.onDrop(this);
        return false;
      }
      this.#queue.push(chunk);
      return true;
    }
    if (!this.sink.write(chunk)) this.#block();
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.sink.destroy();
  }

  #block(): void {
    this.#blocked = true;
    this.sink.once('drain', () => this.#flush());
  }

  #flush(): void {
    this.#blocked = false;
    while (!this.#closed && this.#queue.length > 0) {
      if (!this.sink.write(this.#queue.shift() as string)) {
        this.#block();
        return;
      }
    }
  }
}

/** One SSE event: `event:` line, one `data:` line per line of the JSON, a blank line. */
export function sseEvent(name: string, data: string): string {
  return `event: ${name}\ndata: ${data.split('\n').join('\ndata: ')}\n\n`;
}
