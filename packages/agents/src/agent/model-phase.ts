import { Buffer } from 'node:buffer';
import { callTokenBound, MESSAGE_OVERHEAD, partTokenBound } from '../context/tokenizer.js';
import { flatText } from '../governance/args-hash.js';
import type { ToolCallPart } from '../model/message.js';
import { isModelCallError, type ModelErrorKind } from '../model/model-call-error.js';
import type { ModelResponse } from '../model/model-response.js';
import type { AgentResult } from '../store/checkpoint.js';
import { act } from './act-phase.js';
import { AgentRequest } from './agent-request.js';
import { noteMessage, type Run } from './agent-run.js';
import { AgentSignal, type ModelOutcome } from './agent-signal.js';
import { compactContext } from './compaction-phase.js';
import type { Eventually, StepLoop } from './step-loop.js';

/** Model errors a fallback model may serve: the primary (or its provider) is failing. */
const FALLBACK_KINDS: ReadonlySet<ModelErrorKind> = new Set([
  'rate_limited',
  'quota_exhausted',
  'overloaded',
  'server',
  'timeout',
  'network',
  'auth',
  'unknown',
]);

/**
 * Plan: asks the run's model with the context as it is now. The call runs beside the process;
 * its response or error comes back as a `model` signal.
 *
 * The call starts here, in the process's turn, so the scheduler counts its start (a provider's
 * request, a scripted model's timer) with the step that made it. What runs when the answer
 * arrives, outside any turn (in the timer's or the socket's callback), is one reaction that puts
 * the outcome in the mailbox: the rest of the step is the `model` signal's turn. With a thousand
 * answers arriving together that is all the loop runs for them before the scheduler's slices.
 */
export function callModel(loop: StepLoop, run: Run): void {
  const { ctx, runtime } = loop;
  const model = runtime.spec.models[run.modelIndex];
  if (model === undefined) return;
  run.calling();
  const request = new AgentRequest(
    runtime.spec.system,
    // A copy: the ledger grows in place, and a client may keep the request it was given.
    run.ledger.messages.slice(),
    runtime.toolSpecs,
    runtime.spec.maxOutputTokens,
    run,
  );
  let answer: Promise<ModelResponse>;
  try {
    // Any value a client returns is taken as its answer; a throw is its failure, as a rejection.
    answer = Promise.resolve(model.generate(request));
  } catch (error) {
    answer = Promise.reject(error);
  }
  const id = run.id;
  answer.then(
    (response) => ctx.send(ctx.self, new AgentSignal('model', id, { ok: true, response })),
    (error: unknown) => ctx.send(ctx.self, new AgentSignal('model', id, { ok: false, error })),
  );
}

/**
 * The model answered: charge it, then either finish with its text or admit its tool calls (a
 * call over a budget or caught by the loop guard ends the agent before any tool of the step
 * runs) and act on them.
 */
export function onModel(
  loop: StepLoop,
  run: Run,
  outcome: ModelOutcome,
): Eventually<AgentResult | undefined> {
  if (!outcome.ok) return onModelError(loop, run, outcome.error);
  const response = outcome.response;
  run.meter.chargeModel(response.model, response.usage);
  loop.report(response);
  run.measured(response.usage.inputTokens);
  run.meter.chargeStep();
  run.step++;
  run.contextRetried = false;
  // One pass over the answer: its tool calls (with the canonical text of a flat input, which the
  // loop guard keys the call by and whose length the context's token bound takes), its text
  // joined, and its token bound.
  const calls: ToolCallPart[] = [];
  const texts: (string | undefined)[] = [];
  let text = '';
  let bound = MESSAGE_OVERHEAD;
  for (const part of response.content) {
    if (part.type === 'tool-call') {
      const flat = flatText(part.input);
      calls.push(part);
      texts.push(flat);
      bound += callTokenBound(part, flat === undefined ? undefined : Buffer.byteLength(flat));
    } else {
      if (part.type === 'text') text += part.text;
      bound += partTokenBound(part);
    }
  }
  if (loop.observed) {
    loop.publishEvent({
      type: 'agent.step',
      agent: loop.runtime.spec.name,
      threadId: run.threadId,
      step: run.step,
      provider: loop.runtime.spec.models[run.modelIndex]?.provider,
      model: response.model,
      usage: response.usage,
      finishReason: response.finishReason,
      toolCalls: calls.length,
    });
  }
  if (response.content.length === 0 || (calls.length === 0 && text.trim() === '')) {
    // An empty answer is not a result: tell the model, count it, let the guard bound it.
    const verdict = run.guard.output('<empty response>');
    if (verdict.kind === 'exit') return loop.fail(run, verdict.error);
    run.ledger.append({ role: 'assistant', content: [{ type: 'text', text: '' }] });
    run.ledger.append(
      noteMessage('Your last response was empty. Answer the task, or call a tool.'),
    );
    const committed = loop.commit(run);
    if (committed !== undefined)
      return committed.then(() => {
        loop.next(run);
        return undefined;
      });
    loop.next(run);
    return undefined;
  }
  run.ledger.append({ role: 'assistant', content: response.content }, bound);
  if (calls.length === 0) {
    const verdict = run.guard.output(text);
    if (verdict.kind === 'exit') return loop.fail(run, verdict.error);
    return loop.finish(run, text);
  }
  // Admission is decided here, in the turn: a call over a budget or a loop ends the agent
  // before any tool of this step runs.
  let nudge: string | undefined;
  for (let i = 0; i < calls.length; i++) {
    const call = calls[i] as ToolCallPart;
    run.meter.admit('toolCalls');
    run.meter.chargeToolCall();
    const verdict = run.guard.call(call.name, call.input, texts[i]);
    if (verdict.kind === 'exit') return loop.fail(run, verdict.error);
    if (verdict.kind === 'nudge') nudge = verdict.message;
  }
  loop.lifecycle.send({ type: 'agent.act', toolCalls: calls.length });
  const committed = loop.commit(run);
  if (committed !== undefined)
    return committed.then(() => {
      act(loop, run, calls, nudge);
      return undefined;
    });
  act(loop, run, calls, nudge);
  return undefined;
}

/**
 * The model call failed: a context_length error gets one compaction and a retry, a failing
 * provider the next fallback model (the agent degraded a level), anything else ends the agent.
 */
async function onModelError(
  loop: StepLoop,
  run: Run,
  error: unknown,
): Promise<AgentResult | undefined> {
  if (run.aborted) return undefined;
  const { runtime, lifecycle } = loop;
  if (
    isModelCallError(error, 'context_length') &&
    runtime.spec.compaction !== false &&
    !run.contextRetried
  ) {
    run.contextRetried = true;
    loop.publish('agent.context_overflow', { threadId: run.threadId, step: run.step });
    compactContext(loop, run);
    return undefined;
  }
  if (
    isModelCallError(error) &&
    FALLBACK_KINDS.has(error.kind) &&
    run.modelIndex + 1 < runtime.spec.models.length
  ) {
    run.modelIndex++;
    const level = Math.min(run.modelIndex, lifecycle.context.maxLevel);
    lifecycle.send({ type: 'agent.degrade', level });
    if (loop.observed) {
      loop.publishEvent({
        type: 'agent.degraded',
        agent: loop.runtime.spec.name,
        threadId: run.threadId,
        level,
        kind: error.kind,
        model: runtime.spec.models[run.modelIndex]?.model,
      });
    }
    callModel(loop, run);
    return undefined;
  }
  return loop.fail(run, error);
}
