import { isWardenError, Pid } from '@warden/core';
import { addExtension, Packr, RESET_BUFFER_MODE, REUSE_BUFFER_MODE, Unpackr } from 'msgpackr';
import { INCARNATION, NODE_NAME } from './handshake.js';
import { DEFAULT_MAX_DEPTH, PID_EXT, scanMsgpack } from './msgpack-scan.js';

/**
 * MessagePack for frames: one encoder, one hardened decoder.
 *
 * Two msgpackr extensions are registered when this module loads. msgpackr keeps extensions in
 * module-wide tables, so they apply to every msgpackr user in the process:
 * - `Pid` as extension type 87 (`[node, incarnation, id]`), revived as a real `Pid` (checked
 *   shape) wherever it sits, including deep inside user messages;
 * - `Error` written as data, never as an Error: an error of any warden package (`isWardenError`)
 *   as `{ _tag, code, message }`, any other as `{ tag: 'error', name, message, code? }`. `cause`
 *   and stacks never travel.
 */
/**
 * The last pid revived: most pids of a frame are the same one (a flood to one process), and a
 * pid is an immutable value, so it is handed out again rather than checked and made anew.
 */
let lastPid = new Pid('', '', -1);

addExtension({
  Class: Pid,
  type: PID_EXT,
  write: (pid: Pid) => [pid.node, pid.incarnation, pid.id],
  read: (data: unknown) => {
    if (!Array.isArray(data) || data.length !== 3) throw new Error('malformed pid');
    const [node, incarnation, id] = data as [unknown, unknown, unknown];
    const last = lastPid;
    if (id === last.id && node === last.node && incarnation === last.incarnation) return last;
    if (
      typeof node !== 'string' ||
      !NODE_NAME.test(node) ||
      typeof incarnation !== 'string' ||
      !INCARNATION.test(incarnation) ||
      !Number.isSafeInteger(id) ||
      (id as number) < 0
    ) {
      throw new Error('malformed pid');
    }
    lastPid = new Pid(node, incarnation, id as number);
    return lastPid;
  },
});

addExtension({
  Class: Error,
  write: (error: Error) => {
    if (isWardenError(error)) return { _tag: error._tag, code: error.code, message: error.message };
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

/** msgpackr's own buffer after `encodeInto`: the value is its bytes `[start, end)`. */
export type Packed = Buffer & { readonly start: number; readonly end: number };

/**
 * Encodes one value into msgpackr's shared buffer and returns it, the value's bytes at
 * `[start, end)`. They stay valid only until the next encode: copy them out at once. No view is
 * made, and the space is reused by the next call. Throws like `encode`.
 */
export function encodeInto(value: unknown): Packed {
  return packr.pack(value, REUSE_BUFFER_MODE | RESET_BUFFER_MODE) as unknown as Packed;
}

/** A pid's bytes (the pid extension), in a buffer of their own. */
export function encodePid(pid: Pid): Uint8Array {
  return new Uint8Array(packr.pack(pid));
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
    return { ok: false, reason: undecodable(error) };
  }
}

/** The reason an undecodable frame is refused. */
function undecodable(error: unknown): string {
  return `undecodable: ${(error as Error)?.message ?? String(error)}`.slice(0, 200);
}
