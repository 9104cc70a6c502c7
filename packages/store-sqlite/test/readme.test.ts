// The README's example is the `readme` region of a test that runs, word for word.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const here = import.meta.dirname;

function region(file: string, name: string): string {
  const text = readFileSync(join(here, file), 'utf8');
  const found = new RegExp(
    `^([ \\t]*)// #region ${name}\\n([\\s\\S]*?)^[ \\t]*// #endregion`,
    'm',
  ).exec(text);
  if (found === null) throw new Error(`no region ${name} in ${file}`);
  const indent = (found[1] as string).length;
  return (found[2] as string)
    .split('\n')
    .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
    .join('\n')
    .trim();
}

describe('README.md', () => {
  it('shows the readme region of agent-on-sqlite.test.ts word for word', () => {
    const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
    const block = /<!-- example: readme -->\s*```ts\n([\s\S]*?)```/.exec(readme);
    expect(block?.[1]?.trim()).toBe(region('agent-on-sqlite.test.ts', 'readme'));
  });
});
