import {
  type ActorBehaviour,
  type ActorContext,
  defineActor,
  type ExitReason,
  errorReason,
  reply,
  type Stop,
  stop,
} from '@warden/core';
import {
  type Actor,
  type AnyStateMachine,
  createActor,
  type EventObject,
  type InputFrom,
} from 'xstate';
import { invalidOption } from '../errors.js';
import { optionalFunction } from '../internal/checks.js';
import { xstateClock } from './machine-clock.js';
import { isInspected, type MachineObserver, publishInspection } from './machine-inspection.js';
import { isSnapshotRequest, snapshotData } from './machine-requests.js';

export interface FromMachineOptions {
  /** Receives the machine's xstate inspection events (also sent to `inspectMachines` observers). */
  readonly onInspect?: MachineObserver;
  /**
   * Turns a message into an event, or `undefined` to ignore it. Default: objects with a string
   * `type` are events as they are, a string `s` is `{ type: s }`, anything else is ignored.
   */
  readonly toEvent?: (message: unknown) => EventObject | undefined;
}

/** The state of a machine process: the running xstate actor and how it ended, if it did. */
export interface MachineProcess {
  readonly actor: Actor<AnyStateMachine>;
}

interface Cell extends MachineProcess {
  actor: Actor<AnyStateMachine>;
  /** Set when the machine reached a final state (`normal`) or failed (its error). */
  outcome: ExitReason | undefined;
  /** True while a handler runs: an outcome then ends the process through the handler's result. */
  inHandler: boolean;
  ended: boolean;
}

/**
 * Runs an xstate v5 machine as a warden actor. Spawn args are the machine's `input`.
 *
 * - `send` / `cast` messages become events (see `toEvent`); EXIT and DOWN messages of a process
 *   that traps exits or monitors arrive as `{ type: 'EXIT' }` / `{ type: 'DOWN' }` events.
 * - A `call` with `SNAPSHOT_REQUEST` (`getSnapshot`) reads the snapshot; a call with an event sends
 *   it and replies with the snapshot that follows (`sendEvent`). Replies are `MachineSnapshotData`.
 * - Delayed transitions run on the node's clock (`TestClock` drives them).
 * - Inspection events go to `onInspect`, `inspectMachines` observers and `node.inspect` (as
 *   `published` events) for machines started while one of them listens; a machine started with
 *   nobody listening is not inspected, which spares xstate building an event per transition.
 * - A machine that errors exits the process with its error (its supervisor restarts it); one that
 *   reaches a final state exits `normal`. Either can happen outside a message (a delayed
 *   transition, an invoked promise): the process then exits at once.
 * - When the process ends for any reason (even a kill), its signal stops the xstate actor.
 * - A machine that is final or fails as it starts fails the start (`init` returns `stop`).
 *
 * @example
 * const pid = node.spawn(fromMachine(trafficLight), { args: { cycleMs: 1000 } });
 * node.send(pid, { type: 'count' });
 * const { value } = await getSnapshot(node, pid);
 */
export function fromMachine<TMachine extends AnyStateMachine>(
  machine: TMachine,
  options: FromMachineOptions = {},
): ActorBehaviour<MachineProcess, InputFrom<TMachine>> {
  if (
    typeof machine !== 'object' ||
    machine === null ||
    typeof (machine as { transition?: unknown }).transition !== 'function' ||
    typeof (machine as { getInitialSnapshot?: unknown }).getInitialSnapshot !== 'function'
  ) {
    throw invalidOption('machine', machine, 'an xstate machine');
  }
  const onInspect = optionalFunction<MachineObserver>('onInspect', options.onInspect);
  const toEvent =
    optionalFunction<(message: unknown) => EventObject | undefined>('toEvent', options.toEvent) ??
    defaultToEvent;

  const deliver = (message: unknown, cell: Cell): Cell | Stop<Cell> => {
    const event = toEvent(message);
    if (event !== undefined) send(cell, event);
    return cell.outcome === undefined ? cell : stop(cell.outcome, cell);
  };

  return defineActor<Cell, InputFrom<TMachine>>({
    init: (input, ctx) => start(machine, input, ctx, onInspect),
    handleCall: (request, _from, cell) => {
      if (!isSnapshotRequest(request)) {
        const event = toEvent(request);
        if (event !== undefined) send(cell, event);
      }
      const view = snapshotData(cell.actor.getSnapshot());
      return cell.outcome === undefined ? reply(view, cell) : stop(cell.outcome, cell, view);
    },
    handleCast: deliver,
    handleInfo: deliver,
  });
}

function start(
  machine: AnyStateMachine,
  input: unknown,
  ctx: ActorContext,
  onInspect: MachineObserver | undefined,
): Cell | Stop<Cell> {
  const clock = xstateClock(ctx.node.clock);
  // Inspection is switched on only if someone listens when the machine starts (see isInspected).
  const actor =
    onInspect !== undefined || isInspected(ctx.node)
      ? createActor(machine, {
          input,
          clock,
          inspect: (inspection) => publishInspection(ctx.node, ctx.self, inspection, onInspect),
        })
      : createActor(machine, { input, clock });
  const cell: Cell = { actor, outcome: undefined, inHandler: true, ended: false };
  actor.subscribe({
    error: (error) => settle(cell, ctx, errorReason(error)),
    complete: () => {
      if (actor.getSnapshot().status === 'done') settle(cell, ctx, 'normal');
    },
  });
  ctx.signal.addEventListener(
    'abort',
    () => {
      cell.ended = true;
      actor.stop();
    },
    { once: true },
  );
  actor.start();
  cell.inHandler = false;
  return cell.outcome === undefined ? cell : stop(cell.outcome, cell);
}

function send(cell: Cell, event: EventObject): void {
  cell.inHandler = true;
  try {
    cell.actor.send(event);
  } finally {
    cell.inHandler = false;
  }
}

/**
 * The machine ended. Inside a handler, the handler's result stops the process. Outside one (a
 * delayed transition fired by the clock, an invoked promise settled), the process exits now.
 */
function settle(cell: Cell, ctx: ActorContext, reason: ExitReason): void {
  if (cell.ended || cell.outcome !== undefined) return;
  cell.outcome = reason;
  if (cell.inHandler) return;
  cell.ended = true;
  try {
    ctx.exit(reason);
  } catch {
    // `ctx.exit` ends the process, then throws to unwind the process's own code; there is no
    // such code here (we run in a clock or promise callback), so the unwinding stops here.
  }
}

function defaultToEvent(message: unknown): EventObject | undefined {
  if (typeof message === 'string') return { type: message };
  if (
    typeof message === 'object' &&
    message !== null &&
    typeof (message as { type?: unknown }).type === 'string'
  ) {
    return message as EventObject;
  }
  return undefined;
}
