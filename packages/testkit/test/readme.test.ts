import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** `// #region name` blocks of the tutorial's tested examples, de-indented. */
function regions(): string[] {
  const text = readFileSync(join(ROOT, 'tests', 'src', 'docs', 'testkit-examples.test.ts'), 'utf8');
  return [...text.matchAll(/^([ \t]*)\/\/ #region \S+\n([\s\S]*?)^[ \t]*\/\/ #endregion/gm)].map(
    (m) =>
      (m[2] as string)
        .split('\n')
        .map((line) =>
          line.slice(Math.min((m[1] as string).length, line.length - line.trimStart().length)),
        )
        .join('\n')
        .trim(),
  );
}

describe('README', () => {
  it('shows only code that runs in the tested tutorial', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) =>
      (m[1] as string).trim(),
    );
    expect(blocks.length).toBeGreaterThan(0);
    const known = regions();
    for (const block of blocks) expect(known, block).toContain(block);
  });
});
