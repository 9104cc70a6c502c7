import {
  type ActorContext,
  defineActor,
  type ExitReason,
  type Node,
  noreply,
  type Pid,
  reply,
  stop,
} from '@warden/core';

/** One entry of a collector's log: how the message arrived and what it was. */
export type Arrival = { readonly via: 'cast' | 'info'; readonly message: unknown };

/** Records every cast and plain message in arrival order; the call `'log'` returns the log. */
export const collector = defineActor<Arrival[], void>({
  init: () => [],
  handleCall: (_request, _from, log) => reply(log.slice(), log),
  handleCast: (message, log) => {
    log.push({ via: 'cast', message });
    return log;
  },
  handleInfo: (message, log) => {
    log.push({ via: 'info', message });
    return log;
  },
});

/** The requests `server` understands. */
export type ServerRequest =
  | { readonly echo: unknown }
  | { readonly hang: true }
  | { readonly stop: ExitReason };

/**
 * A gen_server-style worker: echoes calls, can be told to hang (never reply) or to stop with a
 * reason; the plain message `'crash'` makes it throw `Error('boom')`.
 */
export const server = defineActor<null, void, ServerRequest>({
  init: () => null,
  handleCall: (request, _from, state) => {
    if ('echo' in request) return reply(request.echo, state);
    if ('hang' in request) return noreply(state);
    return stop(request.stop, state);
  },
  handleInfo: (message, state) => {
    if (message === 'crash') throw new Error('boom');
    return state;
  },
});

/** The exit reason `server` dies with on `'crash'` (the local-only `cause` aside). */
export const BOOM = { tag: 'error', name: 'Error', message: 'boom' } as const;

/**
 * A helper that spawns a fresh `server` on its own node when called with `'spawn'` and answers
 * with its pid (unlinked: whoever asked links to it).
 */
export const spawner = defineActor<null, void, 'spawn'>({
  init: () => null,
  handleCall: (_request, _from, state, ctx) => reply(ctx.spawn(server), state),
});

/** A process that links to `target` and then waits for ever (it dies with the link's reason). */
export function linkedWaiter(node: Node, target: Pid, options: { trapExit?: boolean } = {}): Pid {
  return node.spawn(
    async (ctx: ActorContext, to: Pid) => {
      ctx.link(to);
      await ctx.receive(() => false);
    },
    { args: target, trapExit: options.trapExit ?? false },
  );
}
