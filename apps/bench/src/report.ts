import { formatRate, formatRatio, formatValue, ratioVsRaw } from './compare.js';
import type { CaseResult } from './suite.js';
import type { TargetResult } from './targets.js';

export const RESULT_HEADERS = [
  'case',
  'contender',
  'metric',
  'min',
  'median',
  'max',
  'rate',
  'vs raw',
];

/** One row per case, contender and metric; rate and ratio on the primary metric's row only. */
export function resultRows(cases: readonly CaseResult[]): string[][] {
  const rows: string[][] = [];
  for (const c of cases) {
    c.results.forEach((result, i) => {
      const name = i === 0 ? c.id : '';
      if (result.error !== undefined) {
        rows.push([name, result.contender, 'FAILED', result.error, '', '', '', '']);
        return;
      }
      c.metrics.forEach((metric, m) => {
        const s = result.summary[metric.key];
        const primary = m === 0;
        rows.push([
          primary ? name : '',
          primary ? result.contender : '',
          `${metric.label ?? metric.key} (${metric.unit})`,
          formatValue(s?.min),
          formatValue(s?.median),
          formatValue(s?.max),
          primary && metric.unit === 'ms' ? formatRate(c.ops, s?.median) : '',
          primary ? formatRatio(ratioVsRaw(c, result), metric, c.baseline) : '',
        ]);
      });
    });
  }
  return rows;
}

export const TARGET_HEADERS = ['target', 'goal', 'measured', 'met'];

export function targetRows(targets: readonly TargetResult[]): string[][] {
  return targets.map((t) => [
    t.label,
    t.goal,
    t.measured,
    t.met === undefined ? 'not measured' : t.met ? 'met' : 'NOT MET',
  ]);
}

/** A plain-text table with aligned columns (numbers right-aligned). */
export function textTable(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.every((r) => /^[-\d.,]*$|^$/.test(r[i] ?? '')));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(headers: readonly string[], rows: readonly string[][]): string {
  const cellText = (cell: string) => cell.replaceAll('|', '\\|');
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cellText).join(' | ')} |`),
  ].join('\n');
}

export function paramRows(cases: readonly CaseResult[]): string[][] {
  return cases.map((c) => [c.id, c.params, String(c.runs)]);
}

export const PARAM_HEADERS = ['case', 'parameters', 'runs'];

/** The ratio legend printed under every results table. */
export const RATIO_LEGEND =
  'vs raw: against the raw baseline of the same run (or the contender named, e.g. "vs xstate"). ' +
  '"speed" = baseline time / contender time (higher is better; 1.00x is as fast as the ' +
  'baseline); "bytes" and "latency" = contender / baseline (lower is better). ' +
  'min / median / max are over the recorded runs.';
