import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** OTP-SEMANTICS.md has 59 numbered items; each that applies must be named by at least one test. */
const ITEMS = 59;

/** Items warden does not implement, with the decision record that says why. */
const NOT_APPLICABLE: Record<number, string> = {
  58: 'global name registry: docs/decisions/0012-no-global-names-or-groups-yet.md',
  59: 'pg process groups: docs/decisions/0012-no-global-names-or-groups-yet.md',
};

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (
      /\.test\.ts$/.test(entry) ||
      (dir.includes(`${join('tests', 'src')}`) && entry.endsWith('.ts'))
    ) {
      out.push(path);
    }
  }
  return out;
}

/** Item numbers a text names as "(item 14)", "items 29-33", "items 45, 46". */
function itemsNamed(text: string): Set<number> {
  const found = new Set<number>();
  for (const m of text.matchAll(/\bitems? (\d+(?:\s*(?:[-–,]|and)\s*\d+)*)/g)) {
    for (const part of (m[1] as string).split(/\s*(?:,|and)\s*/)) {
      const [a, b] = part.split(/\s*[-–]\s*/).map(Number);
      if (a === undefined || Number.isNaN(a)) continue;
      for (let n = a; n <= (b ?? a); n++) found.add(n);
    }
  }
  return found;
}

describe('OTP conformance coverage', () => {
  const named = new Set<number>();
  for (const dir of ['packages', 'tests']) {
    for (const file of testFiles(join(ROOT, dir))) {
      for (const n of itemsNamed(readFileSync(file, 'utf8'))) named.add(n);
    }
  }

  it('names every applicable OTP-SEMANTICS.md item in at least one test', () => {
    const missing: number[] = [];
    for (let n = 1; n <= ITEMS; n++) if (!named.has(n) && !(n in NOT_APPLICABLE)) missing.push(n);
    expect(missing).toEqual([]);
  });

  it('says why each item that does not apply does not', () => {
    for (const [item, why] of Object.entries(NOT_APPLICABLE)) {
      const file = why.split(': ')[1] as string;
      expect(statSync(join(ROOT, file)).isFile(), `item ${item}: ${file}`).toBe(true);
    }
  });
});
