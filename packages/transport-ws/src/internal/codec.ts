import { isWardenError, Pid } from '@warden/core';
import { addExtension, Packr, Unpackr } from 'msgpackr';
import { INCARNATION, NODE_NAME } from './handshake.js';
import { DEFAULT_MAX_DEPTH, PID_EXT, scanMsgpack } from './msgpack-scan.js';

/**
 * MessagePack for frames: one encoder, one hardened decoder.
 *
 * Two msgpackr extensions are registered when this module loads. msgpackr keeps extensions in
 * module-wide tables, so they apply to every msgpackr user in the process:
 * - `Pid` as extension type 87 (`[node, incarnation, id]`), revived as a real `Pid` (checked
 *   shape) wherever it sits, including deep inside user messages;
 * - `Error` written as data, never as an Error: a `WardenError` as `{ _tag, code, message }`,
 *   any other as `{ tag: 'error', name, message, code? }`. `cause` and stacks never travel.
 */
addExtension({
  Class: Pid,
  type: PID_EXT,
  write: (pid: Pid) => [pid.node, pid.incarnation, pid.id],
  read: (data: unknown) => {
    if (
      !Array.isArray(data) ||
      data.length !== 3 ||
      typeof data[0] !== 'string' ||
      !NODE_NAME.test(data[0]) ||
      typeof data[1] !== 'string' ||
      !INCARNATION.test(data[1]) ||
      !Number.isSafeInteger(data[2]) ||
      (data[2] as number) < 0
    ) {
      throw new Error('malformed pid');
    }
    return Pid.from({ node: data[0], incarnation: data[1], id: data[2] as number });
  },
});

addExtension({
  Class: Error,
  write: (error: Error) => {
    if (isWardenError(error))
      return { _tag: 'WardenError', code: error.code, message: error.message };
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string'
      ? { tag: 'error', name: String(error.name), message: String(error.message), code }
      : { tag: 'error', name: String(error.name), message: String(error.message) };
  },
} as never);

const packr = new Packr({
  useRecords: false,
  structuredClone: false,
  moreTypes: false,
  largeBigIntToString: true,
});

const unpackr = new Unpackr({
  useRecords: false,
  structuredClone: false,
  int64AsType: 'string',
  mapsAsObjects: true,
  copyBuffers: true,
});

/** Encodes one value. Throws on values MessagePack cannot hold (cycles, for one). */
export function encode(value: unknown): Buffer {
  return packr.pack(value);
}

export type Decoded =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly reason: string };

/** Scans, then unpacks exactly one value; never throws. */
export function decode(bytes: Uint8Array, maxDepth = DEFAULT_MAX_DEPTH): Decoded {
  const refused = scanMsgpack(bytes, maxDepth);
  if (refused !== undefined) return { ok: false, reason: refused };
  try {
    return { ok: true, value: unpackr.unpack(bytes) };
  } catch (error) {
    return {
      ok: false,
      reason: `undecodable: ${(error as Error)?.message ?? String(error)}`.slice(0, 200),
    };
  }
}
