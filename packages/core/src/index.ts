export { IGNORE, type Ignore, NoReply, noreply, Reply, reply, Stop, stop } from './actor-result.js';
export {
  type ActorBehaviour,
  type ActorSpec,
  type Behaviour,
  defineActor,
  isActorBehaviour,
  type ProcessFunction,
} from './behaviour.js';
export { type Clock, systemClock, type TimerHandle } from './clock.js';
export type {
  ActorContext,
  Address,
  CallOptions,
  ReceiveOptions,
  SpawnOptions,
} from './context.js';
export { type DeadLetter, type DeadLetterReason, DeadLetters } from './dead-letters.js';
export {
  ERROR_CODES,
  type ErrorCode,
  type ErrorData,
  isWardenError,
  WardenError,
} from './errors.js';
export type { NodeEvent, NodeEventType, Observer } from './events.js';
export {
  type ErrorReason,
  type ExitReason,
  errorReason,
  formatReason,
  isAbnormal,
  isExitReason,
  isShutdown,
  type ShutdownReason,
  sameReason,
  shutdownWith,
} from './exit-reason.js';
export { createInMemoryNetwork, type InMemoryNetwork } from './in-memory-transport.js';
export { DEFAULT_MAILBOX, type MailboxOptions, type OverflowPolicy } from './mailbox.js';
export {
  CallRequest,
  CastMessage,
  DownMessage,
  ExitMessage,
  isCall,
  isCast,
  isDown,
  isExit,
} from './messages.js';
export { createNode, type Node, type NodeOptions, type ProcessInfo } from './node.js';
export { isPid, Pid, samePid } from './pid.js';
export { createPoisonGuard, type PoisonGuard, type PoisonGuardOptions } from './poison-guard.js';
export type { Ref } from './ref.js';
export type { Envelope, EnvelopeKind, Transport, TransportHost } from './transport.js';
