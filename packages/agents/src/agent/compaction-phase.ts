import { compact } from '../context/compaction.js';
import type { Message, Part } from '../model/message.js';
import type { AgentResult } from '../store/checkpoint.js';
import { AgentError } from './agent-error.js';
import { noteMessage, type Run } from './agent-run.js';
import { AgentSignal } from './agent-signal.js';
import { boundedJson } from './bounded-json.js';
import { callModel } from './model-phase.js';
import type { Eventually, StepLoop } from './step-loop.js';

const SUMMARY_SYSTEM =
  'Summarise the conversation below for the agent that is working on it: the facts found, the ' +
  'actions taken and their outcomes, and what is left to do. Be brief and exact.';

/**
 * Compacts the context before the next model call: checkpoint first, then the strategies in the
 * order configured, beside the process; the outcome comes back as a `compacted` signal.
 */
export function compactContext(loop: StepLoop, run: Run): void {
  const { ctx, runtime } = loop;
  const options = runtime.spec.compaction;
  if (options === false) return;
  // The last call's measured error is worked out against the context it was made with, which
  // the compaction is about to rewrite.
  run.settleUncounted();
  loop.lifecycle.send({ type: 'agent.compact' });
  const model = runtime.spec.models[run.modelIndex];
  const env = {
    ledger: run.ledger,
    target: (options.threshold * runtime.spec.contextWindow) / 2,
    keepRecent: options.keepRecent,
    threadId: run.threadId,
    step: run.step,
    memory: runtime.memory,
    summarise: async (messages: readonly Message[]) => {
      if (model === undefined)
        throw new AgentError('ERR_CONTEXT_OVERFLOW', 'no model to summarise with');
      const response = await model.generate({
        system: SUMMARY_SYSTEM,
        messages: [noteMessage(messages.map(renderForSummary).join('\n'))],
        maxOutputTokens: 1024,
        signal: run.signal,
      });
      run.meter.chargeModel(response.model, response.usage);
      loop.report(response);
      return response.content
        .filter((p) => p.type === 'text')
        .map((p) => (p as { text: string }).text)
        .join('');
    },
  };
  // Checkpoint first: a compaction that goes wrong never loses the context it started from.
  loop
    .commitLater(run)
    .then(() => compact(env, options.strategies))
    .then(
      (report) => ({ ok: true, report }),
      (error: unknown) => ({ ok: false, error }),
    )
    .then((outcome) => ctx.send(ctx.self, new AgentSignal('compacted', run.id, outcome)));
}

/**
 * A compaction ended: under the threshold, the loop goes on; otherwise the agent is degraded,
 * and ends with `ERR_CONTEXT_OVERFLOW` if the context no longer fits the window at all.
 */
export function onCompacted(
  loop: StepLoop,
  run: Run,
  outcome: unknown,
): Eventually<AgentResult | undefined> {
  const { runtime, lifecycle } = loop;
  const ok = (outcome as { ok: boolean }).ok;
  const tokens = run.ledger.tokens + run.uncounted;
  const fits = tokens + runtime.spec.maxOutputTokens <= runtime.spec.contextWindow;
  const underThreshold =
    runtime.spec.compaction !== false &&
    tokens <= runtime.spec.compaction.threshold * runtime.spec.contextWindow;
  if (ok && underThreshold) {
    lifecycle.send({ type: 'agent.compacted' });
    loop.publish('agent.compacted', {
      threadId: run.threadId,
      ...(outcome as { report: object }).report,
    });
  } else {
    lifecycle.send({ type: 'agent.compaction_failed' });
    loop.publish('agent.compaction_failed', {
      threadId: run.threadId,
      tokens: run.ledger.tokens,
    });
    if (!fits) {
      return loop.fail(
        run,
        new AgentError(
          'ERR_CONTEXT_OVERFLOW',
          `context of ${run.ledger.tokens} tokens does not fit the window of ${runtime.spec.contextWindow}`,
          { detail: { tokens: run.ledger.tokens, window: runtime.spec.contextWindow } },
        ),
      );
    }
  }
  const committed = loop.commit(run);
  if (committed !== undefined)
    return committed.then(() => {
      callModel(loop, run);
      return undefined;
    });
  callModel(loop, run);
  return undefined;
}

function renderForSummary(message: Message): string {
  return message.content.map((part: Part) => `${message.role}: ${partText(part)}`).join('\n');
}

function partText(part: Part): string {
  switch (part.type) {
    case 'text':
      return part.text;
    case 'tool-call':
      return `called ${part.name} ${boundedJson(part.input)}`;
    case 'tool-result':
      return `${part.name} -> ${boundedJson(part.output)}`;
  }
}
