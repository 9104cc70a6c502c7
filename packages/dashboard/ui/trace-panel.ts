import { html, nothing, type TemplateResult } from 'lit-html';
import type { TraceItem, TraceView } from '../src/dashboard-snapshot.js';

/**
 * The last steps of the selected agent: its model calls (model, tokens, tool calls asked), its
 * tool calls and their outcomes, its answers and failures, and where each call of its thread
 * stands in the effect journal. Answers are the model's words: text, never markup.
 */
export function tracePanel(
  trace: TraceView | undefined,
  error: string | undefined,
  now: number,
): TemplateResult {
  return html`<section class="panel trace" aria-labelledby="trace-title">
    <h2 id="trace-title">
      Trace${trace === undefined ? '' : html`: ${trace.agent ?? 'process'} ${trace.pid}`}
    </h2>
    ${error === undefined ? nothing : html`<p class="notice">${error}</p>`}
    ${
      trace === undefined
        ? html`<p class="muted">Select a process in the tree to see its last steps.</p>`
        : html`${
            trace.threadId === undefined
              ? nothing
              : html`<p class="muted">thread <span class="mono">${trace.threadId}</span></p>`
          }
          ${
            trace.items.length === 0
              ? html`<p class="muted">No agent step seen for this process.</p>`
              : html`<ol class="trace-items">
                  ${[...trace.items].reverse().map((item) => traceItem(item, now))}
                </ol>`
          }
          ${
            trace.journal.length === 0
              ? nothing
              : html`<h3>Effect journal</h3>
                  <table class="journal">
                    <thead>
                      <tr><th>tool</th><th>effect</th><th>state</th><th>decided by</th><th>reason</th></tr>
                    </thead>
                    <tbody>
                      ${trace.journal.map(
                        (j) =>
                          html`<tr data-journal-state=${j.state}>
                            <td>${j.tool}</td><td>${j.effect}</td><td>${j.state}</td>
                            <td>${j.decidedBy ?? ''}</td><td>${j.reason ?? ''}</td>
                          </tr>`,
                      )}
                    </tbody>
                  </table>`
          }`
    }
  </section>`;
}

function traceItem(item: TraceItem, now: number): TemplateResult {
  const ago = html`<span class="ago">${Math.max(0, (now - item.time) / 1000).toFixed(1)} s ago</span>`;
  switch (item.kind) {
    case 'task':
      return html`<li class="t-task">${ago} task ${item.resumed ? 'resumed' : 'started'}</li>`;
    case 'model':
      return html`<li class="t-model">
        ${ago} step ${item.step}: model <span class="mono">${item.model}</span>,
        ${item.inputTokens} in / ${item.outputTokens} out tokens,
        ${item.toolCalls > 0 ? `${item.toolCalls} tool call(s)` : item.finishReason}
      </li>`;
    case 'tool':
      return html`<li class="t-tool ${item.outcome === 'ok' ? '' : 'bad'}">
        ${ago} tool <strong>${item.tool}</strong>: ${item.outcome}
      </li>`;
    case 'answer':
      return html`<li class="t-answer">${ago} answered:<pre class="answer">${item.text}</pre></li>`;
    case 'note':
      return html`<li class="t-note">${ago} ${item.event}${item.text === '' ? '' : `: ${item.text}`}</li>`;
    case 'exit':
      return html`<li class="t-exit bad">${ago} process exited: ${item.reason}</li>`;
  }
}
