import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** `// #region name` blocks of the tested examples, de-indented. */
function regions(): string[] {
  const text = readFileSync(join(import.meta.dirname, 'agent-on-postgres.test.ts'), 'utf8');
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
  it('shows only code that runs in a tested example', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) =>
      (m[1] as string).trim(),
    );
    expect(blocks.length).toBeGreaterThan(0);
    for (const block of blocks) expect(regions(), block).toContain(block);
  });
});
