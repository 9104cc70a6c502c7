import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
/** Every `*examples.test.ts` file beside this one. */
const EXAMPLES = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('examples.test.ts') && f !== 'docs-examples.test.ts')
  .map((f) => readFileSync(join(import.meta.dirname, f), 'utf8'))
  .join('\n');

/** `// #region name` ... `// #endregion` blocks of the examples files, de-indented. */
function regions(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of EXAMPLES.matchAll(
    /^([ \t]*)\/\/ #region (\S+)\n([\s\S]*?)^[ \t]*\/\/ #endregion/gm,
  )) {
    const indent = (m[1] as string).length;
    const body = (m[3] as string)
      .split('\n')
      .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
      .join('\n');
    out.set(m[2] as string, body.trim());
  }
  return out;
}

/** Code blocks in docs preceded by `<!-- example: name -->`. */
function docExamples(): { file: string; name: string; code: string }[] {
  const found: { file: string; name: string; code: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/<!-- example: (\S+) -->\s*```ts\n([\s\S]*?)```/g)) {
          found.push({
            file: path.slice(ROOT.length + 1),
            name: m[1] as string,
            code: (m[2] as string).trim(),
          });
        }
      }
    }
  };
  walk(join(ROOT, 'docs'));
  return found;
}

describe('docs examples are tested code', () => {
  const known = regions();
  const examples = docExamples();

  it('docs contain examples', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  for (const { file, name, code } of examples) {
    it(`${file}: example "${name}" matches its tested region`, () => {
      expect(known.has(name), `no region "${name}" in tests/src/docs/*examples.test.ts`).toBe(true);
      expect(code).toBe(known.get(name));
    });
  }
});
