export { formatAddress, isValidAddress, type PeerAddress, parseAddress } from './address.js';
export { backoffDelay } from './backoff.js';
export {
  isWsTransportError,
  WS_TRANSPORT_ERROR_CODES,
  WsTransportError,
  type WsTransportErrorCode,
  type WsTransportErrorData,
} from './errors.js';
export { CLOSE } from './internal/close-codes.js';
export {
  type ClusterKey,
  createClusterKey,
  issueNodeCredential,
  type NodeCredential,
  type NodeIdentityOptions,
} from './node-credentials.js';
export {
  DEFAULTS,
  MIN_SECRET_BYTES,
  type RateLimit,
  type ReconnectOptions,
  type TlsOptions,
  type WsTransportEvent,
  type WsTransportOptions,
} from './options.js';
export {
  createWsTransport,
  type ListenOptions,
  type WsTransport,
  type WsTransportStats,
} from './ws-transport.js';
