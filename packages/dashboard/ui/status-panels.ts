import { html, nothing, type TemplateResult } from 'lit-html';
import type { DashboardSnapshot, NodeView } from '../src/dashboard-snapshot.js';
import { STATE_MARK } from './lifecycle-legend.js';
import { seriesChart } from './series-chart.js';

/** Restarts and tokens over time, and the counters, for each node. */
export function chartsPanel(nodes: readonly NodeView[]): TemplateResult {
  return html`<section class="panel charts" aria-labelledby="charts-title">
    <h2 id="charts-title">Over time</h2>
    ${nodes.map(
      (n) => html`<div class="node-charts">
        <h3>${n.name}</h3>
        ${seriesChart('Restarts', n.series.restarts, 'restarts')}
        ${seriesChart('Tokens', n.series.tokens, 'tokens')}
        <p class="totals">
          restarts ${n.totals.restarts} · crashes ${n.totals.crashes} · escalations
          ${n.totals.escalations} · steps ${n.totals.steps} · tool calls ${n.totals.toolCalls} ·
          tokens ${n.totals.tokens} · mailbox overflows ${n.totals.mailboxOverflows}
        </p>
      </div>`,
    )}
  </section>`;
}

/** Every agent with its state, level, step, tokens and mailbox. */
export function agentsPanel(nodes: readonly NodeView[]): TemplateResult {
  const rows = nodes.flatMap((n) => n.processes.filter((p) => p.agent !== undefined));
  return html`<section class="panel agents" aria-labelledby="agents-title">
    <h2 id="agents-title">Agents (${rows.length})</h2>
    <table>
      <thead>
        <tr>
          <th>agent</th><th>process</th><th>state</th><th>level</th><th>step</th>
          <th>tokens</th><th>mailbox</th><th>restarts</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map((p) => {
          const a = p.agent as NonNullable<typeof p.agent>;
          return html`<tr data-agent-key=${p.key}>
            <td>${a.name}</td><td class="mono">${p.pid}</td>
            <td><span class="swatch state-${a.state}">${STATE_MARK[a.state].letter}</span>${
              p.alive ? STATE_MARK[a.state].label : 'exited'
            }</td>
            <td>${a.level}</td><td>${a.step}</td><td>${a.tokens}</td><td>${p.mailbox}</td>
            <td>${p.restarts}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </section>`;
}

/** Breakers and degradation ladders: which provider is cut off, which rung serves. */
export function resiliencePanel(nodes: readonly NodeView[]): TemplateResult {
  const breakers = nodes.flatMap((n) => n.breakers.map((b) => ({ node: n, b })));
  const ladders = nodes.flatMap((n) => n.ladders.map((l) => ({ node: n, l })));
  return html`<section class="panel resilience" aria-labelledby="resilience-title">
    <h2 id="resilience-title">Breakers and ladders</h2>
    ${
      breakers.length === 0
        ? html`<p class="muted">No breaker has reported.</p>`
        : html`<ul>
            ${breakers.map(
              ({ node, b }) =>
                html`<li class="breaker breaker-${b.state}">
                  <strong>${b.name}</strong>: ${b.state.replace('_', ' ')} (trips ${b.trips},
                  since ${ago(node.time, b.since)})
                </li>`,
            )}
          </ul>`
    }
    ${
      ladders.length === 0
        ? nothing
        : html`<ul>
            ${ladders.map(
              ({ node, l }) =>
                html`<li class="ladder ${l.level === 'primary' ? '' : 'degraded'}">
                  ladder <strong>${l.source}</strong>: serving ${l.level} (moves ${l.moves}, since
                  ${ago(node.time, l.since)})
                </li>`,
            )}
          </ul>`
    }
  </section>`;
}

/** Undeliverable messages of each node, and the work each dead-letter queue holds. */
export function deadLettersPanel(snapshot: DashboardSnapshot): TemplateResult {
  const letters = snapshot.nodes.flatMap((n) => n.deadLetters.recent.map((d) => ({ n, d })));
  const total = snapshot.nodes.reduce((sum, n) => sum + n.deadLetters.count, 0);
  return html`<section class="panel dead-letters" aria-labelledby="dl-title">
    <h2 id="dl-title">Dead letters (${total})</h2>
    ${snapshot.nodes.map((n) => {
      const reasons = Object.entries(n.deadLetters.byReason);
      return reasons.length === 0
        ? nothing
        : html`<p>${n.name}: ${reasons.map(([r, c]) => `${r} ${c}`).join(' · ')}</p>`;
    })}
    ${
      letters.length === 0
        ? nothing
        : html`<ul class="letters">
            ${[...letters].reverse().map(
              ({ n, d }) =>
                html`<li>${ago(n.time, d.time)} to <span class="mono">${d.to ?? ''}</span>
                  (${d.reason}): <code>${d.summary}</code></li>`,
            )}
          </ul>`
    }
    ${snapshot.queues.map(
      (q) => html`<h3>Queue ${q.name}</h3>
        <p>recorded ${q.recorded} · replayed ${q.replayed} · overflowed ${q.overflowed}</p>
        <ul class="letters">
          ${q.entries.map(
            (e) =>
              html`<li>${e.id ?? ''}: ${e.reason} after ${e.attempts ?? 0} attempt(s):
                <code>${e.summary}</code></li>`,
          )}
        </ul>`,
    )}
  </section>`;
}

function ago(now: number, time: number): string {
  return `${Math.max(0, (now - time) / 1000).toFixed(1)} s ago`;
}
