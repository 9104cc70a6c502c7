import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SEMANTICS = 'docs/semantics.md';
const SELF = join('tests', 'src', 'architecture', 'otp-conformance.test.ts');

interface Item {
  readonly n: number;
  readonly text: string;
}

/** The numbered items of docs/semantics.md: a line opening "N. " and its indented continuation. */
function semanticsItems(): Item[] {
  const items: Item[] = [];
  let open = false;
  for (const line of readFileSync(join(ROOT, SEMANTICS), 'utf8').split('\n')) {
    const head = /^(\d+)\. (.*)$/.exec(line);
    if (head) {
      items.push({ n: Number(head[1]), text: head[2] as string });
      open = true;
    } else if (open && /^ +\S/.test(line)) {
      const last = items.pop() as Item;
      items.push({ n: last.n, text: `${last.text} ${line.trim()}` });
    } else {
      open = false;
    }
  }
  return items;
}

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
  return out.filter((path) => !path.endsWith(SELF));
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

/** The test files an item says check it: backticked paths ending in .ts. */
function testsCited(item: Item): string[] {
  return [...item.text.matchAll(/`([\w./-]+\.ts)`/g)].map((m) => m[1] as string);
}

/** The decision records an item cites ("decision 0012"), as paths. */
function decisionsCited(item: Item): string[] {
  const files = readdirSync(join(ROOT, 'docs', 'decisions'));
  return [...item.text.matchAll(/decision (\d{4})/g)].map((m) => {
    const file = files.find((f) => f.startsWith(`${m[1]}-`));
    return file === undefined ? `docs/decisions/${m[1]}-?` : `docs/decisions/${file}`;
  });
}

describe('OTP conformance coverage', () => {
  const items = semanticsItems();
  const namedBy = new Map<number, Set<string>>();
  for (const dir of ['packages', 'tests']) {
    for (const file of testFiles(join(ROOT, dir))) {
      const relative = file.slice(ROOT.length + 1);
      for (const n of itemsNamed(readFileSync(file, 'utf8'))) {
        const files = namedBy.get(n) ?? new Set<string>();
        files.add(relative);
        namedBy.set(n, files);
      }
    }
  }
  /** An item that cites no test but a decision record is one warden does not implement. */
  const notApplicable = items.filter((i) => testsCited(i).length === 0);

  it(`numbers the items of ${SEMANTICS} 1, 2, 3, ... without a gap`, () => {
    expect(items.length).toBeGreaterThan(50);
    expect(items.map((i) => i.n)).toEqual(items.map((_, k) => k + 1));
  });

  it(`names every applicable ${SEMANTICS} item in at least one test`, () => {
    const missing = items
      .filter((i) => !notApplicable.includes(i) && !namedBy.has(i.n))
      .map((i) => i.n);
    expect(missing).toEqual([]);
  });

  it('cites, for each item, test files that exist and name that item', () => {
    const wrong: string[] = [];
    for (const item of items) {
      for (const path of testsCited(item)) {
        if (!existsSync(join(ROOT, path))) wrong.push(`item ${item.n}: ${path} does not exist`);
        else if (!namedBy.get(item.n)?.has(path))
          wrong.push(`item ${item.n}: ${path} does not name it`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('says, for each item warden does not implement, which decision record explains why', () => {
    for (const item of notApplicable) {
      const decisions = decisionsCited(item);
      expect(
        decisions.length,
        `item ${item.n} cites neither a test nor a decision`,
      ).toBeGreaterThan(0);
      for (const path of decisions) {
        expect(existsSync(join(ROOT, path)), `item ${item.n}: ${path}`).toBe(true);
      }
    }
  });
});
