import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DOCS = join(import.meta.dirname, '..', '..', '..', 'docs');

/**
 * The table a doc shows between `<!-- generated: NAME ... -->` and `<!-- end generated -->`, so a
 * test can hold the doc to the numbers it has just measured.
 */
export function documentedTable(doc: string, name: string): string | undefined {
  const text = readFileSync(join(DOCS, doc), 'utf8');
  const m = text.match(
    new RegExp(`<!-- generated: ${name}[^>]*-->\\n([\\s\\S]*?)\\n<!-- end generated -->`),
  );
  return m?.[1]?.trim();
}

/** A markdown table of `rows`, one column per key any row has (in order of appearance). */
export function markdownTable(rows: readonly Record<string, string | number>[]): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [
    line(keys),
    line(keys.map(() => '---')),
    ...rows.map((r) => line(keys.map((k) => r[k] ?? '-'))),
  ].join('\n');
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
