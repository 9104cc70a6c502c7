import { html, nothing, render } from 'lit-html';
import type { DashboardSnapshot, TraceView } from '../src/dashboard-snapshot.js';
import { approvalsPanel } from './approvals-panel.js';
import { DashboardApi, takeToken } from './dashboard-api.js';
import { legend } from './lifecycle-legend.js';
import { followSnapshots, type StreamStatus } from './live-stream.js';
import { agentsPanel, chartsPanel, deadLettersPanel, resiliencePanel } from './status-panels.js';
import { tracePanel } from './trace-panel.js';
import { treeView } from './tree-view.js';

const APPROVER_KEY = 'warden.dashboard.approver';

/** Everything the page shows, replaced (never mutated) as snapshots and answers arrive. */
interface PageState {
  snapshot: DashboardSnapshot | undefined;
  status: StreamStatus;
  selected: string | undefined;
  trace: TraceView | undefined;
  traceError: string | undefined;
  approver: string;
  message: string | undefined;
  busy: ReadonlySet<string>;
}

const app = document.getElementById('app') as HTMLElement;
// lit-html renders beside what is there: the static "Loading" text goes first.
app.textContent = '';
const token = takeToken();

if (token === undefined) {
  render(
    html`<main class="empty">
      <h1>warden dashboard</h1>
      <p>This page needs the token of this run: open the address the node printed (it ends in <code>?token=...</code>).</p>
    </main>`,
    app,
  );
} else {
  start(new DashboardApi(token));
}

function start(api: DashboardApi): void {
  let state: PageState = {
    snapshot: undefined,
    status: 'connecting',
    selected: undefined,
    trace: undefined,
    traceError: undefined,
    approver: localStorage.getItem(APPROVER_KEY) ?? '',
    message: undefined,
    busy: new Set(),
  };
  const update = (change: Partial<PageState>) => {
    state = { ...state, ...change };
    draw();
  };
  let traceVersion = 0;
  const refreshTrace = () => {
    const key = state.selected;
    if (key === undefined) return;
    const asked = ++traceVersion;
    api.trace(key).then(
      (trace) => {
        if (asked === traceVersion) update({ trace, traceError: undefined });
      },
      (error: unknown) => {
        if (asked === traceVersion) update({ traceError: (error as Error).message });
      },
    );
  };
  const select = (key: string) => {
    const remote = state.snapshot?.nodes
      .slice(1)
      .find((n) => n.processes.some((p) => p.key === key));
    if (remote !== undefined) {
      // A peer's traces stay on that node: this server has only its view.
      update({
        selected: undefined,
        trace: undefined,
        traceError: `Traces of ${remote.name} are served by its own dashboard.`,
      });
      return;
    }
    update({ selected: key, trace: undefined, traceError: undefined });
    refreshTrace();
  };
  const answer = (id: string, decision: 'approve' | 'deny') => {
    const approver = state.approver.trim();
    if (approver === '') {
      update({ message: 'Enter your name before you answer: the audit log records who decided.' });
      return;
    }
    update({ busy: new Set([...state.busy, id]), message: undefined });
    api.answer(id, decision, approver).then(
      () => done(id, `${decision === 'approve' ? 'Approved' : 'Denied'} ${id} as ${approver}.`),
      (error: unknown) => done(id, `Could not ${decision} ${id}: ${(error as Error).message}`),
    );
  };
  const done = (id: string, message: string) => {
    const busy = new Set(state.busy);
    busy.delete(id);
    update({ busy, message });
  };
  const actions = {
    setApprover: (name: string) => {
      localStorage.setItem(APPROVER_KEY, name);
      state = { ...state, approver: name };
    },
    answer,
  };

  const draw = () => {
    const s = state.snapshot;
    const now = s?.nodes[0]?.time ?? 0;
    render(
      html`<header>
          <h1>warden dashboard</h1>
          <span class="status status-${state.status}" role="status" data-status=${state.status}
            >${statusText(state.status)}</span
          >
          ${legend()}
        </header>
        ${
          s === undefined
            ? html`<main><p class="muted">Waiting for the first snapshot...</p></main>`
            : html`<main>
                <section class="panel tree-panel" aria-labelledby="tree-title">
                  <h2 id="tree-title">Supervision tree</h2>
                  ${s.nodes.map((n) =>
                    n.truncated > 0
                      ? html`<p class="notice">${n.name}: ${n.truncated} more processes not drawn</p>`
                      : nothing,
                  )}
                  <div class="tree-scroll">${treeView(s.nodes, state.selected, select)}</div>
                </section>
                <div class="side">
                  ${approvalsPanel(
                    {
                      approvals: s.approvals,
                      enabled: s.approvalsEnabled,
                      approver: state.approver,
                      message: state.message,
                      busy: state.busy,
                      now,
                    },
                    actions,
                  )}
                  ${tracePanel(state.trace, state.traceError, now)}
                </div>
                ${agentsPanel(s.nodes)} ${chartsPanel(s.nodes)} ${resiliencePanel(s.nodes)}
                ${deadLettersPanel(s)}
              </main>`
        }`,
      app,
    );
  };
  draw();
  void followSnapshots(
    api,
    (snapshot) => {
      update({ snapshot });
      refreshTrace();
    },
    (status) => {
      if (status !== state.status) update({ status });
    },
  );
}

function statusText(status: StreamStatus): string {
  switch (status) {
    case 'connecting':
      return 'connecting...';
    case 'live':
      return 'live';
    case 'reconnecting':
      return 'connection lost, reconnecting...';
    case 'unauthorized':
      return 'the token was refused: open the address printed by this run';
  }
}
