import { type HierarchyPointNode, hierarchy, tree } from 'd3-hierarchy';
import { html, svg, type TemplateResult } from 'lit-html';
import type { NodeView, ProcessView } from '../src/dashboard-snapshot.js';
import { STATE_MARK } from './lifecycle-legend.js';

/** A node of the drawn tree: a cluster node, a warden node, or a process. */
interface Shape {
  readonly id: string;
  readonly label: string;
  readonly process: ProcessView | undefined;
  readonly node: NodeView | undefined;
  readonly children: Shape[];
}

const ROW = 34;
const COLUMN = 210;

/**
 * The supervision trees of every node, laid out by d3-hierarchy's tidy tree and drawn as SVG:
 * one column per depth, one row per leaf. A process is a circle coloured by its agent's state
 * (or its kind), with a letter inside and its name, state, restarts and mailbox written beside.
 * Everything written comes from the snapshot as text nodes: lit-html never parses it as markup.
 */
export function treeView(
  nodes: readonly NodeView[],
  selected: string | undefined,
  select: (key: string) => void,
): TemplateResult {
  const root: Shape = {
    id: 'cluster',
    label: 'cluster',
    process: undefined,
    node: undefined,
    children: nodes.map(nodeShape),
  };
  const laid = tree<Shape>().nodeSize([ROW, COLUMN])(hierarchy(root, (s) => s.children));
  const drawn = laid.descendants().filter((d) => d.depth > 0);
  let minX = 0;
  let maxX = 0;
  let maxY = 0;
  for (const d of drawn) {
    minX = Math.min(minX, d.x);
    maxX = Math.max(maxX, d.x);
    maxY = Math.max(maxY, d.y);
  }
  const width = Math.max(320, maxY - COLUMN + 30 + 280);
  const height = maxX - minX + ROW * 2;
  const offsetX = -minX + ROW;
  const offsetY = -COLUMN + 30;
  const links = laid.links().filter((l) => l.source.depth > 0);
  return html`<svg
    class="tree"
    role="tree"
    aria-label="Supervision tree"
    width=${width}
    height=${height}
    viewBox="0 0 ${width} ${height}"
  >
    ${links.map(
      (l) =>
        svg`<path class="link" d="M${l.source.y + offsetY},${l.source.x + offsetX} C${(l.source.y + l.target.y) / 2 + offsetY},${l.source.x + offsetX} ${(l.source.y + l.target.y) / 2 + offsetY},${l.target.x + offsetX} ${l.target.y + offsetY},${l.target.x + offsetX}"></path>`,
    )}
    ${drawn.map((d) => shapeView(d, offsetX, offsetY, selected, select))}
  </svg>`;
}

function nodeShape(view: NodeView): Shape {
  const byKey = new Map<string, Shape>();
  for (const p of view.processes) {
    byKey.set(p.key, { id: p.key, label: labelOf(p), process: p, node: undefined, children: [] });
  }
  const roots: Shape[] = [];
  for (const p of view.processes) {
    const shape = byKey.get(p.key) as Shape;
    const parent = p.parent === undefined ? undefined : byKey.get(p.parent);
    if (parent === undefined) roots.push(shape);
    else parent.children.push(shape);
  }
  const status = view.reachable ? '' : ` (unreachable: ${view.error ?? 'no answer'})`;
  return {
    id: `node:${view.name}`,
    label: `${view.name}${status}`,
    process: undefined,
    node: view,
    children: roots,
  };
}

function labelOf(p: ProcessView): string {
  return p.childId ?? p.name ?? p.agent?.name ?? p.pid;
}

function shapeView(
  d: HierarchyPointNode<Shape>,
  offsetX: number,
  offsetY: number,
  selected: string | undefined,
  select: (key: string) => void,
): TemplateResult {
  const x = d.y + offsetY;
  const y = d.x + offsetX;
  const p = d.data.process;
  if (p === undefined) {
    const down = d.data.node?.reachable === false;
    return svg`<g class="node-root ${down ? 'unreachable' : ''}" transform="translate(${x},${y})">
      <rect x="-8" y="-8" width="16" height="16"></rect>
      <text x="14" y="4">${d.data.label}</text>
    </g>`;
  }
  const state = p.agent?.state;
  const cls = !p.alive ? 'exited' : state !== undefined ? `state-${state}` : `kind-${p.kind}`;
  const letter = !p.alive
    ? '×'
    : state !== undefined
      ? STATE_MARK[state].letter
      : p.kind === 'supervisor'
        ? 'S'
        : '·';
  const detail = [
    p.alive ? (state !== undefined ? STATE_MARK[state].label : p.kind) : `exited: ${p.exit ?? ''}`,
    p.restarts > 0 ? `restarts ${p.restarts}` : '',
    p.mailbox > 0 ? `mailbox ${p.mailbox}` : '',
  ]
    .filter((s) => s !== '')
    .join(' · ');
  return svg`<g
    class="proc ${cls} ${selected === p.key ? 'selected' : ''}"
    transform="translate(${x},${y})"
    role="treeitem"
    tabindex="0"
    aria-selected=${selected === p.key ? 'true' : 'false'}
    data-key=${p.key}
    data-label=${labelOf(p)}
    data-state=${state ?? p.kind}
    data-alive=${p.alive ? 'true' : 'false'}
    data-restarts=${p.restarts}
    @click=${() => select(p.key)}
    @keydown=${(e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === ' ') select(p.key);
    }}
  >
    <title>${p.pid}${p.agent === undefined ? '' : ` agent ${p.agent.name}`}</title>
    <circle r="10"></circle>
    <text class="letter" y="4">${letter}</text>
    <text class="label" x="16" y="-2">${labelOf(p) === p.pid ? p.pid : `${labelOf(p)} ${p.pid}`}</text>
    <text class="detail" x="16" y="11">${detail}</text>
  </g>`;
}
