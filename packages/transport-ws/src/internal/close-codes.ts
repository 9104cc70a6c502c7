/**
 * WebSocket close codes of this transport (docs/wire-protocol.md section 5). 1009 comes from ws
 * itself when a frame exceeds `maxPayload`; 4002 and 4003 are reported locally (the socket is
 * terminated, the peer sees 1006).
 */
export const CLOSE = {
  leaving: 1001,
  textFrame: 1003,
  undecodable: 1007,
  violation: 1008,
  tooBig: 1009,
  superseded: 4000,
  duplicate: 4001,
  heartbeat: 4002,
  notDraining: 4003,
  disconnected: 4004,
} as const;

/** A close reason fits in 123 bytes of UTF-8 (RFC 6455 section 5.5): cut to fit. */
export function closeReason(reason: string): string {
  let r = reason.slice(0, 123);
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  return r;
}
