import { ERROR_CODES, type ErrorData } from '../errors.js';
import { isExitReason } from '../exit-reason.js';
import { Pid } from '../pid.js';
import type { Ref } from '../ref.js';
import type { Envelope } from '../transport.js';

type ReplyEnvelope = Extract<Envelope, { kind: 'reply' }>;

const MAX_NAME = 255;
const MAX_REF = 512;

/** A pid as it may arrive from a transport: a `Pid`, or its plain wire shape. */
export function revivePid(value: unknown): Pid | undefined {
  if (value instanceof Pid) return value;
  if (typeof value !== 'object' || value === null) return undefined;
  const { node, incarnation, id } = value as {
    node?: unknown;
    incarnation?: unknown;
    id?: unknown;
  };
  if (typeof node !== 'string' || node.length === 0 || node.length > MAX_NAME) return undefined;
  if (
    typeof incarnation !== 'string' ||
    incarnation.length === 0 ||
    incarnation.length > MAX_NAME
  ) {
    return undefined;
  }
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) return undefined;
  return new Pid(node, incarnation, id);
}

function isRef(value: unknown): value is Ref {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_REF;
}

function isErrorData(value: unknown): value is ErrorData {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _tag?: unknown; code?: unknown; message?: unknown };
  return (
    v._tag === 'WardenError' &&
    (ERROR_CODES as readonly unknown[]).includes(v.code) &&
    typeof v.message === 'string'
  );
}

/**
 * Checks an envelope that came from another node before anything acts on it: a known kind, pids
 * of the right shape (revived as `Pid`), refs, exit reasons and error data that are what they
 * claim (a reply's `released` is `true` or absent). Returns undefined for anything else; the
 * caller counts it as a dead letter.
 */
export function checkEnvelope(value: unknown): Envelope | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  const to = revivePid(v.to);
  if (to === undefined) return undefined;
  const kind = v.kind;
  if (kind === 'send' || kind === 'cast') {
    if (!('message' in v)) return undefined;
    // Already an envelope of this shape (what a transport that checked the wire hands over, on
    // every message of a flood): nothing here reads anything else, so no copy is needed.
    return to === v.to ? (v as Envelope) : { kind, to, message: v.message };
  }
  if (kind === 'reply') {
    if (!isRef(v.ref)) return undefined;
    if (v.released !== undefined && v.released !== true) return undefined;
    const reply: ReplyEnvelope = { kind, to, ref: v.ref, value: v.value };
    if (v.error !== undefined) {
      if (!isErrorData(v.error)) return undefined;
      reply.error = v.error;
    }
    if (v.released === true) reply.released = true;
    return reply;
  }
  const from = revivePid(v.from);
  if (from === undefined) return undefined;
  switch (kind) {
    case 'call':
      return isRef(v.ref) ? { kind, to, from, ref: v.ref, request: v.request } : undefined;
    case 'link':
    case 'unlink':
      return { kind, to, from };
    case 'exit':
      return isExitReason(v.reason) && typeof v.link === 'boolean'
        ? { kind, to, from, reason: v.reason, link: v.link }
        : undefined;
    case 'monitor':
    case 'demonitor':
      return isRef(v.ref) ? { kind, to, from, ref: v.ref } : undefined;
    case 'down':
      return isRef(v.ref) && isExitReason(v.reason)
        ? { kind, to, from, ref: v.ref, reason: v.reason }
        : undefined;
    default:
      return undefined;
  }
}
