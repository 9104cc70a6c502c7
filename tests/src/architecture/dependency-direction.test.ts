import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const PACKAGES = join(ROOT, 'packages');

/**
 * docs/architecture.md: dependencies point one way. Each package may import only the packages
 * listed here (plus Node built-ins and its own declared dependencies). The packages still to come
 * (dashboard, stores, OpenTelemetry, testkit) sit above the agent layer.
 */
const AGENT_LAYER_AND_BELOW = [
  '@warden/core',
  '@warden/machines',
  '@warden/resilience',
  '@warden/agents',
];
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  machines: ['@warden/core'],
  resilience: ['@warden/core', '@warden/machines'],
  'transport-ws': ['@warden/core'],
  agents: ['@warden/core', '@warden/machines', '@warden/resilience'],
  'ai-sdk': ['@warden/core', '@warden/agents'],
  dashboard: AGENT_LAYER_AND_BELOW,
  'store-sqlite': AGENT_LAYER_AND_BELOW,
  'store-postgres': AGENT_LAYER_AND_BELOW,
  otel: AGENT_LAYER_AND_BELOW,
  testkit: AGENT_LAYER_AND_BELOW,
};

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('dist')) continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.[cm]?tsx?$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every module specifier in a file: static and dynamic imports, re-exports, side-effect imports. */
function importsOf(text: string): string[] {
  const specifiers: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]/g))
    specifiers.push(m[1] as string);
  for (const m of text.matchAll(/\bimport\s+['"]([^'"]+)['"]/g)) specifiers.push(m[1] as string);
  for (const m of text.matchAll(/\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g))
    specifiers.push(m[1] as string);
  return specifiers;
}

/** The package directories under packages/ (each with a package.json). */
const packages = readdirSync(PACKAGES).filter((p) => existsSync(join(PACKAGES, p, 'package.json')));

/** What each @warden package lets others import: the subpaths of its exports map ('.', './testing'). */
const publicSubpaths = new Map<string, Set<string>>();
for (const pkg of packages) {
  const manifest = JSON.parse(readFileSync(join(PACKAGES, pkg, 'package.json'), 'utf8'));
  const exported = Object.entries(manifest.exports ?? { '.': '' })
    .filter(([key, target]) => target !== null && !key.includes('*'))
    .map(([key]) => key);
  publicSubpaths.set(manifest.name as string, new Set(exported));
}

/** The package directory a file belongs to, or undefined outside packages/. */
function packageOf(file: string): string | undefined {
  const rel = relative(PACKAGES, file);
  if (rel.startsWith('..')) return undefined;
  return rel.split(sep)[0];
}

/**
 * Why an import from `file` reaches into another package's internals, or undefined if it does not:
 * a relative path that leaves the file's own package (or, outside packages/, lands in one), or a
 * `@warden/x/...` subpath that x's exports map does not offer.
 */
function internalReach(file: string, spec: string): string | undefined {
  if (spec.startsWith('.')) {
    const target = resolve(dirname(file), spec);
    const from = packageOf(file);
    const to = packageOf(target);
    if (to !== undefined && to !== from) return `a relative path into packages/${to}`;
    return undefined;
  }
  const m = /^(@warden\/[^/]+)(\/.*)?$/.exec(spec);
  if (m === null || m[2] === undefined) return undefined;
  const offered = publicSubpaths.get(m[1] as string);
  if (offered === undefined) return `a package that does not exist`;
  return offered.has(`.${m[2]}`) ? undefined : `a subpath ${m[1]} does not export`;
}

/** The package name an import names, for the direction rule. */
function packageName(spec: string): string {
  return spec.startsWith('@')
    ? spec.split('/').slice(0, 2).join('/')
    : (spec.split('/')[0] as string);
}

describe('dependency direction', () => {
  it('knows every package in packages/', () => {
    for (const pkg of packages) expect(Object.keys(ALLOWED)).toContain(pkg);
  });

  for (const pkg of packages) {
    it(`${pkg} imports only what the dependency rule allows`, () => {
      const manifest = JSON.parse(readFileSync(join(PACKAGES, pkg, 'package.json'), 'utf8'));
      const declared = Object.keys(manifest.dependencies ?? {}).filter(
        (d) => !d.startsWith('@warden/'),
      );
      const allowed = new Set([...(ALLOWED[pkg] ?? []), ...declared]);
      const violations: string[] = [];
      for (const file of sourceFiles(join(PACKAGES, pkg, 'src'))) {
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
          if (spec.startsWith('.') || spec.startsWith('node:')) continue;
          if (!allowed.has(packageName(spec))) {
            violations.push(`${relative(ROOT, file)} imports ${spec}`);
          }
        }
      }
      expect(violations).toEqual([]);
    });

    it(`${pkg} declares a dependency on each @warden package it imports at run time`, () => {
      const manifest = JSON.parse(readFileSync(join(PACKAGES, pkg, 'package.json'), 'utf8'));
      const declared = new Set(Object.keys(manifest.dependencies ?? {}));
      const missing = new Set<string>();
      for (const file of sourceFiles(join(PACKAGES, pkg, 'src'))) {
        for (const m of readFileSync(file, 'utf8').matchAll(
          /^(?:import|export)\s(?!type\s)[^'";]*?from\s+['"](@warden\/[^'"]+)['"]/gm,
        )) {
          const name = packageName(m[1] as string);
          if (!declared.has(name)) missing.add(name);
        }
      }
      expect([...missing]).toEqual([]);
    });
  }

  it('core has no runtime dependency but nanoid', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGES, 'core', 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies ?? {})).toEqual(['nanoid']);
  });

  it('no code reaches into another package internals, by package subpath or by relative path', () => {
    const dirs = [
      ...packages.map((p) => join(PACKAGES, p)),
      join(ROOT, 'tests', 'src'),
      ...readdirSync(join(ROOT, 'apps')).map((a) => join(ROOT, 'apps', a)),
    ];
    const violations: string[] = [];
    for (const dir of dirs) {
      for (const file of sourceFiles(dir)) {
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
          const why = internalReach(file, spec);
          if (why !== undefined) violations.push(`${relative(ROOT, file)} imports ${spec}: ${why}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('recognises each way of reaching into internals, and lets the public ways through', () => {
    const inAgents = join(PACKAGES, 'agents', 'src', 'agent', 'x.ts');
    const inTests = join(ROOT, 'tests', 'src', 'otp', 'x.test.ts');
    expect(internalReach(inAgents, '../../../core/src/internal/process.js')).toBeDefined();
    expect(internalReach(inAgents, '../../../core/src/index.js')).toBeDefined();
    expect(internalReach(inTests, '../../../packages/core/src/pid.js')).toBeDefined();
    expect(internalReach(inAgents, '@warden/core/internal/process.js')).toBeDefined();
    expect(internalReach(inAgents, '@warden/core/src/index.js')).toBeDefined();
    expect(internalReach(inAgents, '@warden/nowhere/x')).toBeDefined();
    expect(internalReach(inAgents, '../internal/thing.js')).toBeUndefined();
    expect(internalReach(inAgents, '@warden/core')).toBeUndefined();
    expect(internalReach(inAgents, '@warden/core/testing')).toBeUndefined();
    expect(internalReach(inTests, './supervisor-harness.js')).toBeUndefined();
    expect(
      importsOf(
        "import type { A } from 'a';\nexport * from \"b\";\nimport 'c';\nconst d = await import('d');\nimport {\n  e,\n} from 'e';",
      ),
    ).toEqual(['a', 'b', 'e', 'c', 'd']);
  });
});
