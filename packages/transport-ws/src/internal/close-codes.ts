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
