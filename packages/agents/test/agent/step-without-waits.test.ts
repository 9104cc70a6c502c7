import { isWardenError, type WardenError } from '@warden/core';
import type { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cancelTask, runTask } from '../../src/agent/agent-protocol.js';
import { AgentRequest } from '../../src/agent/agent-request.js';
import { defineAgent } from '../../src/agent/define-agent.js';
import { isRequestAborted } from '../../src/model/internal/policy-request.js';
import type { ModelRequest } from '../../src/model/model-request.js';
import type { ModelResponse } from '../../src/model/model-response.js';
import type { Checkpoint } from '../../src/store/checkpoint.js';
import { type CommitOptions, MemoryCheckpointStore } from '../../src/store/checkpoint-store.js';
import { createScriptedModel } from '../../src/testing/index.js';
import { defineTool } from '../../src/tools/tool.js';
import { agentWorld, lookupTool, outcomeOf } from './agent-world.js';

/** A store of another class: an agent commits to it through the interface, awaited. */
class CountingStore extends MemoryCheckpointStore {
  commits = 0;
  override async commit(checkpoint: Checkpoint, options: CommitOptions): Promise<void> {
    this.commits++;
    await super.commit(checkpoint, options);
  }
}

describe('the step without waits: the in-memory store written in the turn', () => {
  it('commits the same checkpoints to the in-memory store as through the interface', async () => {
    const heads: (Checkpoint | undefined)[] = [];
    for (const store of [new MemoryCheckpointStore(), new CountingStore()]) {
      const { clock, node } = agentWorld();
      const model = createScriptedModel({
        clock,
        script: [
          { toolCalls: [{ name: 'lookup', input: { id: 1 } }] },
          { toolCalls: [{ name: 'lookup', input: { id: 2 } }] },
          { text: 'ok' },
        ],
      });
      const pid = node.spawn(
        defineAgent({ name: 'cp', model, system: 's', tools: [lookupTool()], checkpoints: store }),
      );
      const result = outcomeOf(runTask(node, pid, { task: 'go', threadId: 't' }));
      await clock.settle();
      expect(result.value()).toMatchObject({ outcome: 'done', steps: 3 });
      heads.push(await store.latest('t'));
      if (store instanceof CountingStore) expect(store.commits).toBe(6);
    }
    const [direct, awaited] = heads;
    expect(direct?.version).toBe(6);
    // The same head either way, the time spent aside (each run read the clock on its own).
    const { spent: a, ...directFields } = direct as Checkpoint;
    const { spent: b, ...awaitedFields } = awaited as Checkpoint;
    expect(directFields).toEqual(awaitedFields);
    expect({ ...a, wallMs: 0 }).toEqual({ ...b, wallMs: 0 });
  });

  it('refuses a stale writer in the turn, and the agent crashes as with any store', async () => {
    const { clock, node } = agentWorld();
    const store = new MemoryCheckpointStore();
    const model = createScriptedModel({ clock, script: { text: 'ok' } });
    const agent = defineAgent({ name: 'st', model, system: '', checkpoints: store });
    // Another writer moved the thread's head after the agent read it: the first commit is stale.
    const latest = store.latestNow.bind(store);
    store.latestNow = (threadId: string) => {
      const head = latest(threadId);
      store.commitNow(
        {
          threadId,
          version: 1,
          agent: 'other',
          task: 'x',
          step: 0,
          state: 'idle',
          messages: [],
          spent: { ...(head?.spent ?? ZERO) },
        },
        { expectedHead: 0 },
      );
      return head;
    };
    const result = outcomeOf(runTask(node, node.spawn(agent), { task: 'go', threadId: 's' }));
    await clock.settle();
    expect(result.error()).toMatchObject({ code: 'ERR_EXIT' });
  });
});

const ZERO = {
  steps: 0,
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  wallMs: 0,
  toolCalls: 0,
  subagents: 0,
  unpriced: [],
};

describe("the task's signal, made when read", () => {
  it('lets a scripted model wait on the task without making an AbortSignal for it', async () => {
    const made = async (latencyMs: number): Promise<number> => {
      const { clock, node } = agentWorld();
      const model = createScriptedModel({ clock, latencyMs, script: { text: 'ok' } });
      const pid = node.spawn(defineAgent({ name: 'wait', model, system: '' }));
      const controllers = countControllers();
      try {
        const result = outcomeOf(runTask(node, pid, 'go'));
        await clock.advance(1_000);
        expect(result.value()).toMatchObject({ outcome: 'done', text: 'ok' });
      } finally {
        controllers.restore();
      }
      await node.stop();
      return controllers.made;
    };
    // Waiting 500 ms makes no more controllers than answering at once.
    expect(await made(500)).toBe(await made(0));
  });

  it("aborts a scripted model's wait through the task, with the abort's reason", async () => {
    for (const how of ['cancel', 'kill'] as const) {
      const { clock, node } = agentWorld();
      const model = createScriptedModel({ clock, latencyMs: 500, script: { text: 'ok' } });
      const pid = node.spawn(defineAgent({ name: how, model, system: '' }));
      void runTask(node, pid, 'go').catch(() => undefined);
      await clock.advance(100);
      if (how === 'cancel') expect(await cancelTask(node, pid)).toBe(true);
      else node.exit(pid, 'kill');
      await clock.settle();
      const call = model.calls[0];
      expect(call?.outcome).toBe('aborted');
      expect(call?.endedAt).toBe(100);
      const cause = (call?.error as { cause?: unknown } | undefined)?.cause;
      if (how === 'cancel') expect(cause).toBeInstanceOf(DOMException);
      else expect((cause as WardenError).reason).toBe('killed');
      // The signal read afterwards is born aborted with the same reason.
      expect(call?.request.signal?.reason).toBe(cause);
    }
  });

  it('tells a client whether the task was aborted without making the signal', async () => {
    const { clock, node } = agentWorld();
    const seen: { aborted: boolean; request: ModelRequest }[] = [];
    let answer: ((response: ModelResponse) => void) | undefined;
    const model = {
      provider: 'p',
      model: 'm',
      generate: (request: ModelRequest) => {
        seen.push({ aborted: isRequestAborted(request), request });
        return new Promise<ModelResponse>((resolve) => {
          answer = resolve;
        });
      },
      stream: () => {
        throw new Error('not used');
      },
    };
    const pid = node.spawn(defineAgent({ name: 'lazy', model, system: '' }));
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    const first = seen[0];
    expect(first?.aborted).toBe(false);
    expect(first?.request).toBeInstanceOf(AgentRequest);
    // A copy made with a spread carries the signal, read when copied.
    const copy = { ...(first?.request as ModelRequest) };
    expect(copy.signal?.aborted).toBe(false);
    expect(await cancelTask(node, pid)).toBe(true);
    await clock.settle();
    expect(result.value().outcome).toBe('cancelled');
    expect(copy.signal?.aborted).toBe(true);
    const original = first?.request as ModelRequest;
    expect(isRequestAborted(original)).toBe(true);
    // The request's own signal is the one the copy took.
    expect(original.signal).toBe(copy.signal);
    answer?.({
      content: [{ type: 'text', text: 'late' }],
      finishReason: 'stop',
      usage: { inputTokens: 1, outputTokens: 1 },
      model: 'm',
      responseId: 'r',
    });
    await clock.settle();
  });

  it("aborts a signal first read after the process exited, with the process's abort", async () => {
    const { clock, node } = agentWorld();
    let request: ModelRequest | undefined;
    const model = {
      provider: 'p',
      model: 'm',
      generate: (r: ModelRequest) => {
        request = r;
        return new Promise<ModelResponse>(() => undefined);
      },
      stream: () => {
        throw new Error('not used');
      },
    };
    const pid = node.spawn(defineAgent({ name: 'exit', model, system: '' }));
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    expect(request !== undefined && isRequestAborted(request)).toBe(false);
    node.exit(pid, 'kill');
    await clock.settle();
    expect(result.settled()).toBe(true);
    expect(isRequestAborted(request as ModelRequest)).toBe(true);
    expect(request?.signal?.aborted).toBe(true);
  });

  it('reaches a tool that waits on its signal when the task is cancelled', async () => {
    const { clock, node } = agentWorld();
    let reason: unknown;
    const wait = defineTool({
      name: 'wait',
      description: 'waits until aborted',
      effect: 'read',
      input: z.object({}),
      run: (_input, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason;
            reject(new Error('aborted'));
          });
        }),
    });
    const model = createScriptedModel({
      clock,
      script: { toolCalls: [{ name: 'wait', input: {} }] },
    });
    const pid = node.spawn(defineAgent({ name: 'w', model, system: '', tools: [wait] }));
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.advance(1_000);
    expect(await cancelTask(node, pid)).toBe(true);
    await clock.settle();
    expect(result.value().outcome).toBe('cancelled');
    expect(reason).toBeInstanceOf(DOMException);
  });

  it("aborts a waiting tool with the process signal's ERR_ABORTED, naming the exit reason, when the agent is killed", async () => {
    const { clock, node } = agentWorld();
    const seen: unknown[] = [];
    const pid = node.spawn(
      defineAgent({ name: 'k', model: waitingModel(clock), system: '', tools: [waitTool(seen)] }),
    );
    void runTask(node, pid, 'go').catch(() => undefined);
    await clock.advance(1_000);
    node.exit(pid, 'kill');
    await clock.settle();
    expect(seen).toHaveLength(1);
    expect(isWardenError(seen[0], 'ERR_ABORTED')).toBe(true);
    expect((seen[0] as WardenError).reason).toBe('killed');
  });

  it('aborts a waiting tool with an ERR_ABORTED when the agent is stopped through its terminate', async () => {
    const { clock, node } = agentWorld();
    const seen: unknown[] = [];
    const pid = node.spawn(
      defineAgent({ name: 's', model: waitingModel(clock), system: '', tools: [waitTool(seen)] }),
    );
    void runTask(node, pid, 'go').catch(() => undefined);
    await clock.advance(1_000);
    await node.stopProcess(pid, 'shutdown');
    await clock.settle();
    expect(seen).toHaveLength(1);
    expect(isWardenError(seen[0], 'ERR_ABORTED')).toBe(true);
  });
});

/** A model whose one answer asks for the `wait` tool. */
function waitingModel(clock: TestClock) {
  return createScriptedModel({ clock, script: { toolCalls: [{ name: 'wait', input: {} }] } });
}

/** A tool that waits until its signal aborts, and keeps the reason it aborted with. */
function waitTool(seen: unknown[]) {
  return defineTool({
    name: 'wait',
    description: 'waits until aborted',
    effect: 'read',
    input: z.object({}),
    run: (_input, ctx) =>
      new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          seen.push(ctx.signal.reason);
          reject(new Error('aborted'));
        });
      }),
  });
}

/** Counts the `AbortController`s made until `restore()`. */
function countControllers(): { readonly made: number; restore(): void } {
  const original = globalThis.AbortController;
  const counter = {
    made: 0,
    restore: () => {
      globalThis.AbortController = original;
    },
  };
  globalThis.AbortController = class extends original {
    constructor() {
      super();
      counter.made++;
    }
  };
  return counter;
}
