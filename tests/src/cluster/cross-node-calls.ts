// Calls between nodes (items 50, 51) and what one costs on the wire: the call implies the
// caller's monitor of its server and the reply releases it, one envelope each way (decision 0013).
import { type CallRequest, defineActor, isWardenError, noreply, Pid } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { clusterOpener, type MakeCluster } from './cluster.js';
import { BOOM, server } from './remote-actors.js';

/** Hands every call to `helper` (its args), which answers it: gen_server's `reply/2` elsewhere. */
const delegator = defineActor<Pid, Pid>({
  init: (helper) => helper,
  handleCall: (_request, from, helper, ctx) => {
    ctx.send(helper, { answer: from });
    return noreply(helper);
  },
});

/** What a promise has settled with so far (`pending` until then), without awaiting it. */
function outcomeOf(promise: Promise<unknown>): { value: unknown } {
  const outcome: { value: unknown } = { value: 'pending' };
  promise.then(
    (value) => {
      outcome.value = value;
    },
    (error: unknown) => {
      outcome.value = error;
    },
  );
  return outcome;
}

export function callsSuite(make: MakeCluster): void {
  const open = clusterOpener(make);

  describe('calls across nodes (items 50, 51)', () => {
    it('answers a remote call from the node and from inside a process', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const srv = b.spawn(server);
      expect(await a.call(srv, { echo: { n: 42 } })).toEqual({ n: 42 });
      const answers: unknown[] = [];
      a.spawn(
        async (ctx, to: Pid) => {
          answers.push(await ctx.call(to, { echo: 'first' }));
          answers.push(await ctx.call(to, { echo: 'second' }));
        },
        { args: srv },
      );
      await clock.settle();
      expect(answers).toEqual(['first', 'second']);
    });

    it('rejects a remote call with ERR_EXIT carrying the server reason when it stops mid-call (item 51)', async () => {
      const { node } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const srv = b.spawn(server);
      const error = await a
        .call(srv, { stop: { tag: 'shutdown', detail: 'bye' } })
        .catch((e: unknown) => e);
      expect(isWardenError(error, 'ERR_EXIT')).toBe(true);
      expect((error as { reason?: unknown }).reason).toEqual({ tag: 'shutdown', detail: 'bye' });
    });

    it('rejects a call to a dead remote pid with ERR_NOPROC (item 51)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const srv = b.spawn(server);
      b.exit(srv, 'kill');
      await clock.settle();
      const error = await a.call(srv, { echo: 1 }).catch((e: unknown) => e);
      expect(isWardenError(error, 'ERR_NOPROC')).toBe(true);
    });

    it('times out a remote call that gets no reply with ERR_CALL_TIMEOUT (item 50)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const srv = b.spawn(server);
      const outcome = a.call(srv, { hang: true }, { timeout: 1000 }).catch((e: unknown) => e);
      let settled = false;
      void outcome.then(() => (settled = true));
      await clock.advance(999);
      expect(settled).toBe(false);
      await clock.advance(1);
      expect(isWardenError(await outcome, 'ERR_CALL_TIMEOUT')).toBe(true);
    });
  });

  describe('the monitor a remote call implies (items 50, 51, decision 0013)', () => {
    it('sends one envelope to the server node per call and gets one released reply back', async (t) => {
      const cluster = await open(['a', 'b']);
      const received = cluster.received ?? t.skip('the cluster does not record envelopes');
      const [a, b] = [cluster.node('a'), cluster.node('b')];
      const srv = b.spawn(server);
      await cluster.clock.settle();
      const [atA, atB] = [received('a').length, received('b').length];
      expect(await a.call(srv, { echo: 'ping' })).toBe('ping');
      await cluster.clock.settle();
      expect(
        received('b')
          .slice(atB)
          .map((e) => e.kind),
      ).toEqual(['call']);
      expect(received('a').slice(atA)).toEqual([
        expect.objectContaining({ kind: 'reply', value: 'ping', released: true }),
      ]);
      expect(b.processInfo(srv)?.monitoredBy).toEqual([]);
    });

    it('rejects with ERR_EXIT and the server reason when the server dies before replying (item 51)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const srv = b.spawn(server);
      const call = outcomeOf(a.call(srv, { hang: true }, { timeout: Number.POSITIVE_INFINITY }));
      await clock.settle();
      expect(b.processInfo(srv)?.monitoredBy).toHaveLength(1);
      b.send(srv, 'crash');
      await clock.settle();
      expect(isWardenError(call.value, 'ERR_EXIT')).toBe(true);
      expect((call.value as { reason?: unknown }).reason).toMatchObject(BOOM);
    });

    it('rejects a call to a missing remote pid with ERR_NOPROC and dead-letters the request there (items 51, 54)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const unknown = new Pid('b', b.incarnation, 999_999);
      const earlier = new Pid('b', 'earlier001', 1);
      const [noproc, stale] = [
        b.deadLetters.countOf('noproc'),
        b.deadLetters.countOf('stale-incarnation'),
      ];
      const forever = { timeout: Number.POSITIVE_INFINITY };
      const calls = [
        outcomeOf(a.call(unknown, { echo: 'to nobody' }, forever)),
        outcomeOf(a.call(earlier, { echo: 'to the past' }, forever)),
      ];
      await clock.settle();
      for (const call of calls) expect(isWardenError(call.value, 'ERR_NOPROC')).toBe(true);
      expect(b.deadLetters.countOf('noproc')).toBe(noproc + 1);
      expect(b.deadLetters.countOf('stale-incarnation')).toBe(stale + 1);
      expect(b.deadLetters.recent().map((d) => d.message)).toEqual(
        expect.arrayContaining([{ echo: 'to nobody' }, { echo: 'to the past' }]),
      );
    });

    it('settles a call answered by the process its server handed it to, and leaves no monitor on the server', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const helper = b.spawn(async (ctx) => {
        const { answer } = (await ctx.receive()) as { answer: CallRequest };
        ctx.reply(answer, 'from the helper');
      });
      const srv = b.spawn(delegator, { args: helper });
      expect(await a.call(srv, 'question')).toBe('from the helper');
      await clock.settle();
      expect(b.processInfo(srv)?.monitoredBy).toEqual([]);
    });

    it('leaves no monitor on the server node after a remote call times out (item 50)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const srv = b.spawn(server);
      const call = outcomeOf(a.call(srv, { hang: true }, { timeout: 1000 }));
      await clock.settle();
      expect(b.processInfo(srv)?.monitoredBy).toHaveLength(1);
      await clock.advance(1000);
      await clock.settle();
      expect(isWardenError(call.value, 'ERR_CALL_TIMEOUT')).toBe(true);
      expect(b.processInfo(srv)?.monitoredBy).toEqual([]);
    });

    it('leaves no monitor on the server node after a remote call is aborted (item 50)', async () => {
      const { node, clock } = await open(['a', 'b']);
      const [a, b] = [node('a'), node('b')];
      const srv = b.spawn(server);
      const controller = new AbortController();
      const call = outcomeOf(a.call(srv, { hang: true }, { signal: controller.signal }));
      await clock.settle();
      expect(b.processInfo(srv)?.monitoredBy).toHaveLength(1);
      controller.abort();
      await clock.settle();
      expect(isWardenError(call.value, 'ERR_ABORTED')).toBe(true);
      expect(b.processInfo(srv)?.monitoredBy).toEqual([]);
    });
  });
}
