/**
 * A structural check of a MessagePack frame, run before msgpackr touches it. It walks the bytes
 * with an explicit stack (no recursion, no allocation at all) and refuses:
 *
 * - truncated values and trailing bytes (exactly one value per frame);
 * - length headers that claim more items or bytes than the frame holds (the "4 GB array" trick),
 *   and a total of claimed items above the frame size;
 * - nesting deeper than `maxDepth`;
 * - every extension except the three this protocol writes: `undefined` (type 0), timestamps
 *   (type -1) and pids (`PID_EXT`). That excludes msgpackr's record definitions (0x72),
 *   structured-clone references, bundled strings, BigInt, Error, RegExp, Set and typed arrays;
 * - the reserved byte 0xc1;
 * - map keys other than strings and integers, and the key `__proto__`.
 *
 * Returns undefined when the frame is acceptable, else the reason.
 */
export const PID_EXT = 87;
export const DEFAULT_MAX_DEPTH = 64;

const ARRAY = 0;
const MAP = 1;
const TAG = 2;
const PROTO = [0x5f, 0x5f, 0x70, 0x72, 0x6f, 0x74, 0x6f, 0x5f, 0x5f]; // "__proto__"

/**
 * The scan's stack, reused by every call (a scan runs to completion synchronously): items left in
 * each open container and its kind. In a map, `left` counts keys and values, so the next item is a
 * key exactly when `left` is even.
 */
let stackLeft = new Float64Array(DEFAULT_MAX_DEPTH + 1);
let stackKind = new Uint8Array(DEFAULT_MAX_DEPTH + 1);

export function scanMsgpack(buf: Uint8Array, maxDepth = DEFAULT_MAX_DEPTH): string | undefined {
  if (stackLeft.length <= maxDepth) {
    stackLeft = new Float64Array(maxDepth + 1);
    stackKind = new Uint8Array(maxDepth + 1);
  }
  const left = stackLeft;
  const kind = stackKind;
  const end = buf.length;
  // The innermost open container is kept in `topLeft` and `topKind`; `left[d]` and `kind[d]`
  // hold the one at depth `d` while deeper ones are open. At depth 0, `topKind` is ARRAY.
  let depth = 0;
  let topLeft = 0;
  let topKind = ARRAY;
  let budget = end;
  let pos = 0;
  for (;;) {
    if (pos >= end) return 'truncated';
    const t = buf[pos] as number;
    const key = topKind === MAP && (topLeft & 1) === 0;
    let count = -1;
    let containerKind = ARRAY;
    let size: number; // bytes of a scalar, header included
    let str = -1; // header length of a string, to check keys
    if (t <= 0x7f || t >= 0xe0) size = 1;
    else if (t <= 0x8f) {
      count = (t & 0x0f) * 2;
      containerKind = MAP;
      size = 1;
    } else if (t <= 0x9f) {
      count = t & 0x0f;
      size = 1;
    } else if (t <= 0xbf) {
      str = 1;
      size = 1 + (t & 0x1f);
    } else {
      const need = HEADER_BYTES[t - 0xc0] as number;
      if (need < 0) return `forbidden token 0x${t.toString(16)}`;
      if (pos + need > end) return 'truncated';
      const b1 = buf[pos + 1] as number;
      switch (t) {
        case 0xc4:
          size = 2 + b1;
          break;
        case 0xc5:
          size = 3 + u16(buf, pos + 1);
          break;
        case 0xc6:
          size = 5 + u32(buf, pos + 1);
          break;
        case 0xc7:
          if (buf[pos + 2] !== 0xff || b1 !== 12) return 'forbidden extension';
          size = 15;
          break;
        case 0xd4:
          if (b1 === 0) size = 3;
          else if (b1 === PID_EXT) {
            // The common pid, `[fixstr, fixstr, uint]` after the tag, in one step when that
            // step refuses nothing the general path would (see `plainPid`).
            const pid = key ? -1 : plainPid(buf, pos, end);
            if (pid > 0 && budget >= 4 && depth + 2 <= maxDepth) {
              budget -= 4;
              size = pid;
              break;
            }
            count = 1;
            containerKind = TAG;
            size = 3;
          } else return `forbidden extension ${b1}`;
          break;
        case 0xd6:
        case 0xd7:
          if (b1 !== 0xff) return `forbidden extension ${b1}`;
          size = t === 0xd6 ? 6 : 10;
          break;
        case 0xd9:
          str = 2;
          size = 2 + b1;
          break;
        case 0xda:
          str = 3;
          size = 3 + u16(buf, pos + 1);
          break;
        case 0xdb:
          str = 5;
          size = 5 + u32(buf, pos + 1);
          break;
        case 0xdc:
          count = u16(buf, pos + 1);
          size = 3;
          break;
        case 0xdd:
          count = u32(buf, pos + 1);
          size = 5;
          break;
        case 0xde:
          count = u16(buf, pos + 1) * 2;
          containerKind = MAP;
          size = 3;
          break;
        case 0xdf:
          count = u32(buf, pos + 1) * 2;
          containerKind = MAP;
          size = 5;
          break;
        default:
          size = need;
      }
    }
    if (key) {
      if (!(str > 0 || isIntegerToken(t))) return 'map key is not a string or an integer';
      if (pos + size > end) return 'truncated';
      if (str > 0 && size - str === PROTO.length && isProto(buf, pos + str)) {
        return 'map key __proto__';
      }
    } else if (pos + size > end) return 'truncated';
    pos += size;
    if (count > 0) {
      if (count > end - pos) return 'length header exceeds the frame';
      budget -= count;
      if (budget < 0) return 'claimed items exceed the frame';
      if (depth + 1 > maxDepth) return 'nesting too deep';
      left[depth] = topLeft;
      kind[depth] = topKind;
      depth++;
      topLeft = count;
      topKind = containerKind;
      continue;
    }
    // One item is complete: count it in its parents, closing every container it fills.
    for (;;) {
      if (depth === 0) return pos === end ? undefined : 'trailing bytes';
      if (--topLeft > 0) break;
      depth--;
      topLeft = left[depth] as number;
      topKind = kind[depth] as number;
    }
  }
}

function u16(buf: Uint8Array, at: number): number {
  return ((buf[at] as number) << 8) | (buf[at + 1] as number);
}

function u32(buf: Uint8Array, at: number): number {
  return (buf[at] as number) * 0x1000000 + (((buf[at + 1] as number) << 16) | u16(buf, at + 2));
}

/**
 * The size of a pid written as `d4 57 xx 93 <fixstr> <fixstr> <uint>` at `at` (uint: a positive
 * fixint, uint8, 16 or 32), if it is whole before `end`; else -1. Such a pid passes every check of
 * the general path (none of its items is a map key, none is a container but the array), which
 * would count the tag and the array as two levels and 1 + 3 claimed items.
 */
function plainPid(buf: Uint8Array, at: number, end: number): number {
  let p = at + 3;
  if (p + 4 > end || buf[p] !== 0x93) return -1;
  p++;
  let t = buf[p] as number;
  if (t < 0xa0 || t > 0xbf) return -1;
  p += 1 + (t & 0x1f);
  if (p >= end) return -1;
  t = buf[p] as number;
  if (t < 0xa0 || t > 0xbf) return -1;
  p += 1 + (t & 0x1f);
  if (p >= end) return -1;
  t = buf[p] as number;
  if (t <= 0x7f) p += 1;
  else if (t === 0xcc) p += 2;
  else if (t === 0xcd) p += 3;
  else if (t === 0xce) p += 5;
  else return -1;
  return p <= end ? p - at : -1;
}

function isIntegerToken(t: number): boolean {
  return t <= 0x7f || t >= 0xe0 || (t >= 0xcc && t <= 0xd3);
}

function isProto(buf: Uint8Array, at: number): boolean {
  for (let i = 0; i < PROTO.length; i++) if (buf[at + i] !== PROTO[i]) return false;
  return true;
}

/**
 * Bytes needed to read the header of each token 0xc0-0xdf (including the token), or -1 for a
 * token this protocol never sends.
 */
const HEADER_BYTES: readonly number[] = [
  1, // c0 nil
  -1, // c1 reserved
  1, // c2 false
  1, // c3 true
  2, // c4 bin8
  3, // c5 bin16
  5, // c6 bin32
  3, // c7 ext8 (timestamp 96 only)
  -1, // c8 ext16
  -1, // c9 ext32
  5, // ca float32
  9, // cb float64
  2, // cc uint8
  3, // cd uint16
  5, // ce uint32
  9, // cf uint64
  2, // d0 int8
  3, // d1 int16
  5, // d2 int32
  9, // d3 int64
  3, // d4 fixext1 (undefined, pid tag)
  -1, // d5 fixext2 (record definitions)
  6, // d6 fixext4 (timestamp 32)
  10, // d7 fixext8 (timestamp 64)
  -1, // d8 fixext16
  2, // d9 str8
  3, // da str16
  5, // db str32
  3, // dc array16
  5, // dd array32
  3, // de map16
  5, // df map32
];
