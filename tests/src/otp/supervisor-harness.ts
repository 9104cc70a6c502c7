// Shared fixtures for the supervisor conformance tests of docs/semantics.md sections 5-9: a node on
// a TestClock with its event log, a configurable worker, and a parent process that owns the
// supervisor under test (a supervisor obeys a shutdown only from its parent, as in OTP).
import {
  type ActorContext,
  type ChildSpec,
  createNode,
  defineActor,
  ExitMessage,
  type ExitReason,
  isPid,
  type Node,
  type NodeEvent,
  type NodeEventType,
  type Pid,
  type ProcessFunction,
  reply,
  type Shutdown,
  type SupervisorInit,
  startSupervisor,
  stop,
  whichChildren,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';

export interface Harness {
  readonly clock: TestClock;
  readonly node: Node;
  /** Every event the node emitted, oldest first. */
  readonly events: NodeEvent[];
  readonly probe: TestProbe;
  /** The events of one type, typed. */
  eventsOf<T extends NodeEventType>(type: T): Extract<NodeEvent, { type: T }>[];
}

export function createHarness(name = 'sup'): Harness {
  const clock = new TestClock();
  const node = createNode({ name, clock });
  const events: NodeEvent[] = [];
  node.inspect((e) => events.push(e));
  const probe = new TestProbe(node);
  return {
    clock,
    node,
    events,
    probe,
    eventsOf: <T extends NodeEventType>(type: T) =>
      events.filter((e): e is Extract<NodeEvent, { type: T }> => e.type === type),
  };
}

/** Waits `ms` on the node's clock (virtual time in tests). */
export function pause(ctx: ActorContext, ms: number): Promise<void> {
  return new Promise((resolve) => ctx.node.clock.setTimer(ms, resolve));
}

export interface WorkerArgs {
  readonly id: string;
  /** Shared log: `terminate:<id>` is appended when terminate runs. */
  readonly log?: string[];
  /** Trap exits, so that a shutdown from the supervisor runs terminate. */
  readonly trap?: boolean;
}

/**
 * A gen_server-style worker. `'crash'` makes a handler throw; `{ exit: reason }` stops it with
 * `reason`; a call `'ping'` answers `'pong'` with its id.
 */
export const worker = defineActor<WorkerArgs, WorkerArgs>({
  init: (args, ctx) => {
    if (args.trap === true) ctx.trapExit(true);
    return args;
  },
  handleCall: (request, _from, state) => {
    if (request === 'crash') throw new Error(`crash ${state.id}`);
    return reply({ pong: state.id }, state);
  },
  handleInfo: (message, state) => {
    if (message === 'crash') throw new Error(`crash ${state.id}`);
    if (typeof message === 'object' && message !== null && 'exit' in message) {
      return stop((message as { exit: ExitReason }).exit, state);
    }
    return state;
  },
  terminate: (_reason, state) => {
    state.log?.push(`terminate:${state.id}`);
  },
});

/** A worker child spec with the given id and overrides. */
export function workerSpec(
  id: string,
  extra: Partial<ChildSpec> & { log?: string[]; trap?: boolean } = {},
): ChildSpec {
  const { log, trap, ...rest } = extra;
  const args: WorkerArgs = { id, ...(log ? { log } : {}), ...(trap ? { trap } : {}) };
  return { id, start: { behaviour: worker, args }, ...rest };
}

export interface Supervised {
  readonly sup: Pid;
  /** The process the supervisor is linked to; it traps exits. */
  readonly parent: Pid;
  /** EXIT messages the parent received, oldest first. */
  readonly parentExits: { from: Pid; reason: ExitReason }[];
  /** Asks the parent to send the supervisor an exit signal (default `shutdown`), as OTP's parent does. */
  stopSupervisor(reason?: ExitReason): void;
}

/** Starts a supervisor linked to a fresh parent process and waits until its children have started. */
export async function startUnderParent(node: Node, init: SupervisorInit): Promise<Supervised> {
  const parentExits: { from: Pid; reason: ExitReason }[] = [];
  let resolveSup: (pid: Pid) => void = () => {};
  let rejectSup: (error: unknown) => void = () => {};
  const started = new Promise<Pid>((resolve, reject) => {
    resolveSup = resolve;
    rejectSup = reject;
  });
  const parent = node.spawn(async (ctx) => {
    ctx.trapExit(true);
    let sup: Pid;
    try {
      const result = await startSupervisor(ctx, init);
      if (!isPid(result)) throw new Error('supervisor ignored its start');
      sup = result;
    } catch (error) {
      rejectSup(error);
      return;
    }
    resolveSup(sup);
    for (let i = 0; i < 1_000_000; i++) {
      const message = (await ctx.receive()) as {
        stop?: ExitReason;
        from?: Pid;
        reason?: ExitReason;
      };
      if (message.stop !== undefined) ctx.exit(sup, message.stop);
      else if (message.from !== undefined && message.reason !== undefined) {
        parentExits.push({ from: message.from, reason: message.reason });
      }
    }
  });
  const sup = await started;
  return {
    sup,
    parent,
    parentExits,
    stopSupervisor: (reason = 'shutdown') => node.send(parent, { stop: reason }),
  };
}

/** The current pid of a static child, failing the test if it is not running. */
export async function pidOf(node: Node, sup: Pid, id: string): Promise<Pid> {
  const row = (await whichChildren(node, sup)).find((c) => c.id === id);
  if (row === undefined || !isPid(row.pid)) {
    throw new Error(`child ${id} is not running: ${String(row?.pid)}`);
  }
  return row.pid;
}

/** An EXIT a trapping process received, and when. */
export interface Seen {
  readonly from: Pid;
  readonly reason: ExitReason;
  readonly time: number;
}

/**
 * A process that traps exits and records every EXIT it gets; on each one it runs `onExit`
 * (default: ignore it and keep waiting, so only a kill ends it).
 */
export function trapping(
  seen: Seen[],
  onExit: (ctx: ActorContext, exit: ExitMessage) => unknown = () => undefined,
): ProcessFunction {
  return async (ctx) => {
    for (let i = 0; i < 1000; i++) {
      const message = await ctx.receive();
      if (message instanceof ExitMessage) {
        seen.push({ from: message.from, reason: message.reason, time: ctx.now() });
        await onExit(ctx, message);
      }
    }
  };
}

/** A child spec starting `behaviour` with exits trapped from the start. */
export function trappingSpec(
  id: string,
  shutdown: Shutdown,
  behaviour: ProcessFunction,
  extra: Partial<ChildSpec> = {},
): ChildSpec {
  return { id, shutdown, start: { behaviour, options: { trapExit: true } }, ...extra };
}
