import type { Clock, Envelope, Pid } from '@warden/core';
import type { Connection } from './connection.js';
import type { Member } from './frames.js';

/** What a connection needs from its transport. */
export interface ConnectionHost {
  readonly self: string;
  readonly clock: Clock;
  readonly batchBytes: number;
  readonly highWaterMark: number;
  readonly hardLimit: number;
  receive(envelope: Envelope): void;
  receiveMessage(to: Pid, message: unknown, cast: boolean, trace: unknown): void;
  members(from: Connection, members: Member[]): void;
  leave(from: Connection): void;
  /** Called once, when the connection stops carrying envelopes (for whatever reason). */
  lost(conn: Connection, code: number, reason: string): void;
  /** Called once, when the socket itself has closed. */
  closed(conn: Connection): void;
  rejected(conn: Connection, code: number, reason: string): void;
  /** Asks for `endOfTick()` to run at the end of the current tick. */
  schedule(conn: Connection): void;
  readonly counters: {
    unboundRefs: number;
    framesIn: number;
    framesOut: number;
    envelopesIn: number;
    envelopesOut: number;
    refused: number;
  };
}
