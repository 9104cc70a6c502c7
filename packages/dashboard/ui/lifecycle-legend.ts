import { html, type TemplateResult } from 'lit-html';
import { LIFECYCLE_STATES, type LifecycleState } from '../src/dashboard-snapshot.js';

/**
 * What each lifecycle state looks like: a colour (a CSS class) and, so that colour is never the
 * only cue, a letter drawn in the node and the state's name written beside it.
 */
export const STATE_MARK: Readonly<Record<LifecycleState, { letter: string; label: string }>> = {
  idle: { letter: 'I', label: 'idle' },
  planning: { letter: 'P', label: 'planning' },
  degraded: { letter: 'D', label: 'degraded' },
  acting: { letter: 'A', label: 'acting' },
  awaiting_approval: { letter: '?', label: 'awaiting approval' },
  compacting: { letter: 'C', label: 'compacting' },
  done: { letter: '✓', label: 'done' },
  failed: { letter: '!', label: 'failed' },
};

export function legend(): TemplateResult {
  return html`<ul class="legend" aria-label="Legend">
    ${LIFECYCLE_STATES.map(
      (state) =>
        html`<li><span class="swatch state-${state}">${STATE_MARK[state].letter}</span>${STATE_MARK[state].label}</li>`,
    )}
    <li><span class="swatch kind-supervisor">S</span>supervisor</li>
    <li><span class="swatch kind-process">·</span>process</li>
    <li><span class="swatch exited">×</span>exited</li>
  </ul>`;
}
