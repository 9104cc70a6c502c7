import type { ExitReason } from './exit-reason.js';
import type { Pid } from './pid.js';
import type { Ref } from './ref.js';

/**
 * The base of the messages the runtime itself puts in mailboxes, so telling them from user
 * messages costs one `instanceof`. `system` marks the lane that bypasses the mailbox bound.
 */
export abstract class RuntimeMessage {
  abstract readonly system: boolean;
}

/**
 * `{'EXIT', From, Reason}`: what an exit signal becomes in the mailbox of a process that traps
 * exits. It travels on the system lane: counted apart from the mailbox bound, never dropped.
 */
export class ExitMessage extends RuntimeMessage {
  readonly type = 'EXIT' as const;
  override get system(): boolean {
    return true;
  }
  constructor(
    readonly from: Pid,
    readonly reason: ExitReason,
  ) {
    super();
  }
}

/** `{'DOWN', Ref, process, Pid, Reason}`: a monitored process is gone. System lane. */
export class DownMessage extends RuntimeMessage {
  readonly type = 'DOWN' as const;
  override get system(): boolean {
    return true;
  }
  constructor(
    readonly ref: Ref,
    readonly pid: Pid,
    readonly reason: ExitReason,
  ) {
    super();
  }
}

/** @internal The server an inbound call was delivered to (see `CallRequest.#server`). */
export let serverOf: (request: CallRequest) => Pid | undefined;
/** @internal */
export let setServer: (request: CallRequest, server: Pid) => void;

/**
 * A call waiting for its reply. It is the `from` handle a server passes to `ctx.reply`, so a
 * server may keep it and answer later (gen_server's `noreply` + `reply/2`).
 */
export class CallRequest<Req = unknown> extends RuntimeMessage {
  /**
   * The process a call from another node was delivered to, which holds the monitor the call
   * implies (decision 0013), so the reply can release it. Set only on the node that received the
   * call; a private field: never on the wire, never seen by user code. Reached through
   * `serverOf` / `setServer`, which the core keeps internal. A look-alike plain object (a request
   * that crossed the wire inside a message) has none.
   */
  #server: Pid | undefined = undefined;

  static {
    serverOf = (request) => (#server in request ? request.#server : undefined);
    setServer = (request, server) => {
      request.#server = server;
    };
  }

  override get system(): boolean {
    return false;
  }
  constructor(
    readonly ref: Ref,
    readonly from: Pid,
    readonly request: Req,
  ) {
    super();
  }
}

/** A message sent with `cast`: routed to `handleCast`, unlike a plain `send` (`handleInfo`). */
export class CastMessage<Msg = unknown> extends RuntimeMessage {
  override get system(): boolean {
    return false;
  }
  constructor(readonly message: Msg) {
    super();
  }
}

export function isExit(message: unknown): message is ExitMessage {
  return message instanceof ExitMessage;
}

export function isDown(message: unknown): message is DownMessage {
  return message instanceof DownMessage;
}

export function isCall(message: unknown): message is CallRequest {
  return message instanceof CallRequest;
}

export function isCast(message: unknown): message is CastMessage {
  return message instanceof CastMessage;
}

/** System-lane messages bypass the mailbox bound: losing one would break links and monitors. */
export function isSystemMessage(message: unknown): boolean {
  return message instanceof RuntimeMessage && message.system;
}
