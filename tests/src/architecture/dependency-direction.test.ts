import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * docs/architecture.md: dependencies point one way. Each package may import only the packages
 * listed here (plus Node built-ins and its own declared dependencies).
 */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  machines: ['@warden/core'],
  resilience: ['@warden/core', '@warden/machines'],
  agents: ['@warden/core', '@warden/machines', '@warden/resilience'],
  'transport-ws': ['@warden/core'],
};

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith('.ts')) out.push(path);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
    specifiers.push(m[1] as string);
  }
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g))
    specifiers.push(m[1] as string);
  return specifiers;
}

const packages = readdirSync(join(ROOT, 'packages')).filter((p) =>
  statSync(join(ROOT, 'packages', p, 'src')).isDirectory(),
);

describe('dependency direction', () => {
  it('knows every package in packages/', () => {
    for (const pkg of packages) expect(Object.keys(ALLOWED)).toContain(pkg);
  });

  for (const pkg of packages) {
    it(`${pkg} imports only what the dependency rule allows`, () => {
      const manifest = JSON.parse(
        readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8'),
      );
      const declared = Object.keys(manifest.dependencies ?? {}).filter(
        (d) => !d.startsWith('@warden/'),
      );
      const allowed = new Set([...(ALLOWED[pkg] ?? []), ...declared]);
      const violations: string[] = [];
      for (const file of sourceFiles(join(ROOT, 'packages', pkg, 'src'))) {
        for (const spec of importsOf(file)) {
          if (spec.startsWith('.') || spec.startsWith('node:')) continue;
          const name = spec.startsWith('@')
            ? spec.split('/').slice(0, 2).join('/')
            : (spec.split('/')[0] as string);
          if (!allowed.has(name)) violations.push(`${relative(ROOT, file)} imports ${spec}`);
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it('core has no runtime dependency but nanoid', () => {
    const manifest = JSON.parse(
      readFileSync(join(ROOT, 'packages', 'core', 'package.json'), 'utf8'),
    );
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['nanoid']);
  });

  it('no package reaches into another package internals', () => {
    const violations: string[] = [];
    for (const pkg of packages) {
      for (const file of sourceFiles(join(ROOT, 'packages', pkg, 'src'))) {
        for (const spec of importsOf(file)) {
          if (/^@warden\/[^/]+\/internal/.test(spec) || /\.\.\/\.\.\/\.\.\//.test(spec)) {
            violations.push(`${relative(ROOT, file)} imports ${spec}`);
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
