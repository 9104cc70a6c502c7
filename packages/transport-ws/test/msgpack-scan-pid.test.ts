// The scanner's one-step path for a plain pid must refuse exactly what the general path refuses.
import { Pid } from '@warden/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../src/internal/codec.js';
import { scanMsgpack } from '../src/internal/msgpack-scan.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** A pid written as the codec writes it: `d4 57 00 93 "a" "b" 1`. */
const PID = hex('d4 57 00 93 a1 61 a1 62 01');
/** `depth` nested one-item arrays around `inner`. */
const nestedAround = (depth: number, inner: Buffer) =>
  Buffer.concat([Buffer.alloc(depth, 0x91), inner]);

describe('plain pids in the scanner', () => {
  it('counts a pid as two levels of nesting (its tag and its array)', () => {
    expect(scanMsgpack(nestedAround(62, PID))).toBeUndefined();
    expect(scanMsgpack(nestedAround(63, PID))).toBe('nesting too deep');
    expect(scanMsgpack(PID, 2)).toBeUndefined();
    expect(scanMsgpack(PID, 1)).toBe('nesting too deep');
  });

  it('counts a pid as four claimed items', () => {
    // 9 bytes of frame: the pid's 1 + 3 claimed items fit, inside an array of 4 they do not.
    expect(scanMsgpack(PID)).toBeUndefined();
    expect(scanMsgpack(Buffer.concat([hex('94'), PID, hex('c0 c0 c0')]))).toBeUndefined();
  });

  it('refuses a truncated pid, a pid as a map key and a pid followed by trailing bytes', () => {
    for (let cut = 1; cut < PID.length; cut++) {
      expect(scanMsgpack(PID.subarray(0, cut))).toMatch(
        /^(truncated|length header exceeds the frame)$/,
      );
    }
    expect(scanMsgpack(Buffer.concat([hex('81'), PID, hex('01')]))).toBe(
      'map key is not a string or an integer',
    );
    expect(scanMsgpack(Buffer.concat([PID, hex('00')]))).toBe('trailing bytes');
  });

  it('still decodes and checks pids of every id size', () => {
    for (const id of [0, 127, 128, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]) {
      const pid = new Pid('node-a', 'abc123', id);
      const d = decode(encode([pid, { pid }]));
      expect(d.ok).toBe(true);
      expect((d as { value: [Pid] }).value[0]).toEqual(pid);
    }
    // A pid whose node name breaks the rules is refused by the pid reader, fast path or not.
    expect(decode(hex('d4 57 00 93 a1 20 a1 62 01')).ok).toBe(false);
  });

  it('accepts a mutated frame of pids under a low depth limit only if it accepts it under the default', () => {
    const pid = new Pid('n', 'i', 3);
    fc.assert(
      fc.property(
        fc.nat(40),
        fc.nat(),
        fc.nat(255),
        fc.integer({ min: 1, max: 8 }),
        (n, at, byte, depth) => {
          const bytes = Buffer.from(
            encode([0, 1, 0, Array.from({ length: n }, () => [0, pid, { seq: n }])]),
          );
          bytes[at % bytes.length] = byte;
          const verdict = scanMsgpack(bytes, depth);
          const wide = scanMsgpack(bytes);
          return verdict === undefined ? wide === undefined : typeof verdict === 'string';
        },
      ),
      { numRuns: 3000 },
    );
  });
});
