import { html, nothing, type TemplateResult } from 'lit-html';
import type { ApprovalView } from '../src/dashboard-snapshot.js';

export interface ApprovalsState {
  readonly approvals: readonly ApprovalView[];
  readonly enabled: boolean;
  readonly approver: string;
  /** The outcome of the last answer, or why it failed. */
  readonly message: string | undefined;
  readonly busy: ReadonlySet<string>;
  /** The node clock now, to show how long each call has waited. */
  readonly now: number;
}

export interface ApprovalsActions {
  setApprover(name: string): void;
  answer(id: string, decision: 'approve' | 'deny'): void;
}

/**
 * The calls waiting for a person: the exact tool, arguments and resource the approval would
 * bind, who asked and under which rule. The arguments are the agent's: shown as text in a
 * `<pre>`, never interpreted.
 */
export function approvalsPanel(state: ApprovalsState, actions: ApprovalsActions): TemplateResult {
  return html`<section class="panel approvals" aria-labelledby="approvals-title">
    <h2 id="approvals-title">Pending approvals (${state.approvals.length})</h2>
    ${
      state.enabled
        ? html`<label class="approver"
            >Answer as
            <input
              name="approver"
              autocomplete="username"
              placeholder="your name"
              maxlength="64"
              .value=${state.approver}
              @input=${(e: Event) => actions.setApprover((e.target as HTMLInputElement).value)}
          /></label>`
        : html`<p class="muted">No approval desk was given to this dashboard.</p>`
    }
    ${state.message === undefined ? nothing : html`<p class="notice" role="status">${state.message}</p>`}
    ${
      state.approvals.length === 0
        ? html`<p class="muted">Nothing is waiting.</p>`
        : html`<ul class="approval-list">
            ${state.approvals.map((a) => item(a, state, actions))}
          </ul>`
    }
  </section>`;
}

function item(a: ApprovalView, state: ApprovalsState, actions: ApprovalsActions): TemplateResult {
  const busy = state.busy.has(a.id);
  const waited = Math.max(0, Math.round((state.now - a.requestedAt) / 1000));
  const left = Math.max(0, Math.round((a.deadline - state.now) / 1000));
  return html`<li class="approval" data-approval-id=${a.id} data-tool=${a.tool}>
    <div class="approval-head">
      <span class="effect effect-${a.effect}">${a.effect}</span>
      <strong class="tool">${a.tool}</strong> asked by <span class="agent">${a.agent}</span>
    </div>
    <pre class="input">${a.input}</pre>
    <dl class="facts">
      <dt>resource</dt><dd>${a.resource === '' ? '(none declared)' : a.resource}</dd>
      <dt>rule</dt><dd>${a.rule}</dd>
      <dt>thread</dt><dd>${a.threadId}</dd>
      <dt>waiting</dt><dd>${waited} s, denied in ${left} s unless answered</dd>
    </dl>
    ${
      state.enabled
        ? html`<div class="actions">
            <button
              class="approve"
              ?disabled=${busy}
              @click=${() => actions.answer(a.id, 'approve')}
            >
              Approve
            </button>
            <button class="deny" ?disabled=${busy} @click=${() => actions.answer(a.id, 'deny')}>
              Deny
            </button>
          </div>`
        : nothing
    }
  </li>`;
}
