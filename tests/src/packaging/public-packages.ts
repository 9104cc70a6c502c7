import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

/** A package under packages/ that is published: its package.json does not say `private`. */
export interface PublicPackage {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  readonly manifest: Record<string, unknown>;
}

/** Every public package, in packages/ order: the mechanism knows no package by name. */
export function publicPackages(): PublicPackage[] {
  const out: PublicPackage[] = [];
  for (const entry of readdirSync(join(ROOT, 'packages')).sort()) {
    const file = join(ROOT, 'packages', entry, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (manifest.private === true) continue;
    out.push({
      dir: join(ROOT, 'packages', entry),
      name: manifest.name as string,
      version: manifest.version as string,
      manifest,
    });
  }
  return out;
}

/** The `<!-- example: name -->` TypeScript blocks of a markdown file. */
export function markdownExamples(path: string): { name: string; code: string }[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/<!-- example: (\S+) -->\s*```ts\n([\s\S]*?)```/g)].map((m) => ({
    name: m[1] as string,
    code: (m[2] as string).trim(),
  }));
}

/** Where the tested source of each README example lives, and what running it prints. */
export const EXAMPLES_DIR = join(import.meta.dirname, 'examples');
export const EXPECTED_OUTPUT: Readonly<Record<string, string>> = {
  taste: '2',
  core: 'tick at 60000 ms',
  machines: 'open true',
  resilience: 'answer 3',
  'transport-ws': 'hello from a',
};
