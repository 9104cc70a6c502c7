// The README examples (README.md's "A taste" and each public package's README.md) are files in
// ./examples, copied word for word, and each runs here and prints what its comment says.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  EXAMPLES_DIR,
  EXPECTED_OUTPUT,
  markdownExamples,
  publicPackages,
  ROOT,
} from './public-packages.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const readmes = [join(ROOT, 'README.md'), ...publicPackages().map((p) => join(p.dir, 'README.md'))];

describe('README examples', () => {
  it('each public package has a README.md with an example', () => {
    for (const pkg of publicPackages()) {
      const readme = join(pkg.dir, 'README.md');
      expect(existsSync(readme), readme).toBe(true);
      expect(markdownExamples(readme).length, readme).toBeGreaterThan(0);
    }
  });

  for (const readme of readmes) {
    for (const { name, code } of markdownExamples(readme)) {
      const file = join(EXAMPLES_DIR, `${name}.ts`);
      it(`${readme.slice(ROOT.length + 1)}: "${name}" is examples/${name}.ts word for word`, () => {
        expect(existsSync(file), file).toBe(true);
        expect(code).toBe(readFileSync(file, 'utf8').trim());
      });
    }
  }

  for (const [name, printed] of Object.entries(EXPECTED_OUTPUT)) {
    it(`examples/${name}.ts runs and prints ${JSON.stringify(printed)}`, async () => {
      const lines: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
      });
      await import(join(EXAMPLES_DIR, `${name}.ts`));
      expect(lines).toEqual([printed]);
    });
  }
});
