import {
  createNode,
  defineActor,
  type ExitReason,
  isWardenError,
  type NodeEvent,
  type Pid,
  type WardenError,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

// OTP's gen_server:stop(Ref, Reason, Timeout) (proc_lib:stop/3).

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  const events: NodeEvent[] = [];
  node.inspect((e) => events.push(e));
  return { clock, node, events, probe: new TestProbe(node) };
}

interface Args {
  readonly report: Pid;
  /** How long `terminate` takes, in ms on the node's clock. */
  readonly terminateMs?: number;
  /** What `terminate` throws instead of returning. */
  readonly terminateThrows?: string;
}

/** Reports every message it handles and the reason `terminate` is given. */
const server = defineActor<Args, Args>({
  init: (args) => args,
  handleInfo: (message, state, ctx) => {
    ctx.send(state.report, { handled: message });
    return state;
  },
  terminate: async (reason, state, ctx) => {
    ctx.send(state.report, { terminate: reason });
    if (state.terminateMs !== undefined) {
      ctx.sendAfter(ctx.self, 'done', state.terminateMs);
      await ctx.receive((m) => m === 'done');
    }
    if (state.terminateThrows !== undefined) throw new Error(state.terminateThrows);
  },
});

async function rejection(promise: Promise<unknown>): Promise<WardenError> {
  try {
    await promise;
  } catch (error) {
    return error as WardenError;
  }
  throw new Error('expected a rejection');
}

describe('synchronous stop', () => {
  it('runs terminate after the queued messages and resolves once the process has ended', async () => {
    const { node, probe, events } = setup();
    const pid = node.spawn(server, { args: { report: probe.pid } });
    node.send(pid, 'first');
    await node.stopProcess(pid, 'shutdown');
    expect(node.isAlive(pid)).toBe(false);
    expect(await probe.expectMessage()).toEqual({ handled: 'first' });
    expect(await probe.expectMessage()).toEqual({ terminate: 'shutdown' });
    expect(events.find((e) => e.type === 'actor.exited')).toMatchObject({
      pid,
      reason: 'shutdown',
      cause: 'stopped',
    });
  });

  it('stops with normal by default, and finds the process by its name', async () => {
    const { node, probe } = setup();
    const pid = node.spawn(server, { args: { report: probe.pid }, name: 'srv' });
    const ref = probe.monitor(pid);
    await node.stopProcess('srv');
    await probe.expectDown(ref, 'normal');
    expect(node.whereis('srv')).toBeUndefined();
  });

  it('waits for an asynchronous terminate on the node clock', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(server, { args: { report: probe.pid, terminateMs: 500 } });
    let done = false;
    const stopping = node.stopProcess(pid, 'shutdown').then(() => {
      done = true;
    });
    await clock.advance(499);
    expect(done).toBe(false);
    expect(node.isAlive(pid)).toBe(true);
    await clock.advance(1);
    await stopping;
    expect(done).toBe(true);
  });

  it('rejects with the exit reason when the process ends with another one', async () => {
    const { node, probe } = setup();
    const pid = node.spawn(server, {
      args: { report: probe.pid, terminateThrows: 'cleanup failed' },
    });
    const error = await rejection(node.stopProcess(pid, 'shutdown'));
    expect(isWardenError(error, 'ERR_EXIT')).toBe(true);
    expect(error.reason).toMatchObject({ tag: 'error', message: 'cleanup failed' });
  });

  it('rejects ERR_NOPROC for a dead pid or an unknown name', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(server, { args: { report: probe.pid } });
    node.exit(pid, 'kill');
    await clock.settle();
    expect(isWardenError(await rejection(node.stopProcess(pid)), 'ERR_NOPROC')).toBe(true);
    expect(isWardenError(await rejection(node.stopProcess('nobody')), 'ERR_NOPROC')).toBe(true);
  });

  it('rejects ERR_STOP_TIMEOUT when terminate outlasts the timeout, leaving the process to finish', async () => {
    const { clock, node, probe } = setup();
    const pid = node.spawn(server, { args: { report: probe.pid, terminateMs: 1000 } });
    const ref = probe.monitor(pid);
    const outcome = rejection(node.stopProcess(pid, 'shutdown', { timeout: 100 }));
    await clock.advance(100);
    expect(isWardenError(await outcome, 'ERR_STOP_TIMEOUT')).toBe(true);
    // As proc_lib:stop/3: the caller gives up; the process is not killed and ends as asked.
    expect(node.isAlive(pid)).toBe(true);
    await clock.advance(900);
    await probe.expectDown(ref, 'shutdown');
  });

  it('ends a process function at once with the reason', async () => {
    const { node, probe } = setup();
    let aborted: unknown;
    const pid = node.spawn(async (ctx) => {
      ctx.signal.addEventListener('abort', () => {
        aborted = ctx.signal.reason;
      });
      await ctx.receive((m) => m === 'never sent');
    });
    const ref = probe.monitor(pid);
    await probe.expectNoMessage(0);
    await node.stopProcess(pid, { tag: 'shutdown', detail: 'drain' } as ExitReason);
    await probe.expectDown(ref, { tag: 'shutdown', detail: 'drain' });
    expect(isWardenError(aborted, 'ERR_ABORTED')).toBe(true);
  });

  it('rejects bad arguments with a typed error', async () => {
    const { node, probe } = setup();
    const pid = node.spawn(server, { args: { report: probe.pid } });
    const badReason = await rejection(node.stopProcess(pid, 42 as unknown as ExitReason));
    expect(badReason.field).toBe('reason');
    const badTimeout = await rejection(node.stopProcess(pid, 'normal', { timeout: -1 }));
    expect(badTimeout.field).toBe('timeout');
    const badTarget = await rejection(node.stopProcess({} as unknown as Pid));
    expect(badTarget.field).toBe('target');
    expect(node.isAlive(pid)).toBe(true);
  });
});
