// What a user gets: the public packages built, packed with pnpm and installed with npm into a
// fresh project under the OS temp folder (outside the workspace), their dependencies from the
// registry. There the README examples type-check against the packed .d.ts files (skipLibCheck
// off) and run from the packed JavaScript, printing what their comments say.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EXAMPLES_DIR,
  EXPECTED_OUTPUT,
  markdownExamples,
  publicPackages,
  ROOT,
} from './public-packages.js';

const work = mkdtempSync(join(tmpdir(), 'warden-install-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a command; on failure the error carries its output. */
function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout}\n${e.stderr}`);
  }
}

function tarList(tarball: string): string[] {
  return run('tar', ['tzf', tarball], work).split('\n').filter(Boolean);
}

function tarRead(tarball: string, path: string): string {
  return run('tar', ['xzf', tarball, '-O', path], work);
}

describe('installing the packed packages', () => {
  it('builds, packs, installs outside the workspace, type-checks and runs the README examples', {
    timeout: 120_000,
  }, () => {
    const packages = publicPackages();
    expect(packages.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        '@warden/core',
        '@warden/machines',
        '@warden/resilience',
        '@warden/transport-ws',
      ]),
    );
    expect(new Set(packages.map((p) => p.version)).size).toBe(1);

    // Build and pack, as `npm run pack` does.
    const packs = join(work, 'packs');
    const tarballs = run(process.execPath, [join(ROOT, 'scripts', 'pack-public.mjs'), packs], ROOT)
      .split('\n')
      .filter((line) => line.endsWith('.tgz'));
    expect(tarballs).toHaveLength(packages.length);

    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    for (const tarball of tarballs) {
      const files = tarList(tarball);
      expect(files, tarball).toEqual(
        expect.arrayContaining([
          'package/package.json',
          'package/README.md',
          'package/LICENSE',
          'package/dist/index.js',
          'package/dist/index.d.ts',
        ]),
      );
      expect(files.filter((f) => f.endsWith('.tsbuildinfo') || f.includes('/test/'))).toEqual([]);
      expect(tarRead(tarball, 'package/LICENSE')).toBe(license);
      const manifest = JSON.parse(tarRead(tarball, 'package/package.json'));
      expect(manifest.private).toBeUndefined();
      expect(manifest.license).toBe('MIT');
      expect(JSON.stringify(manifest)).not.toContain('workspace:');
      expect(JSON.stringify(manifest.exports)).not.toContain('"source"');
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        if (dep.startsWith('@warden/'))
          expect(range, `${manifest.name} -> ${dep}`).toBe(manifest.version);
      }
    }

    // A fresh project, as a user has one.
    const project = join(work, 'project');
    mkdirSync(project);
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'uses-warden', private: true, type: 'module' }),
    );
    const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const typesNode = `@types/node@${rootManifest.devDependencies['@types/node']}`;
    run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, typesNode],
      project,
    );

    // README.md's "A taste", as the README shows it, and each package README's example.
    const [taste] = markdownExamples(join(ROOT, 'README.md')).filter((e) => e.name === 'taste');
    expect(taste).toBeDefined();
    writeFileSync(join(project, 'taste.ts'), `${taste?.code}\n`);
    const others = Object.keys(EXPECTED_OUTPUT).filter((name) => name !== 'taste');
    for (const name of others) {
      writeFileSync(
        join(project, `${name}.ts`),
        readFileSync(join(EXAMPLES_DIR, `${name}.ts`), 'utf8'),
      );
    }
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2023',
          lib: ['es2023'],
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          types: ['node'],
          skipLibCheck: false,
          rootDir: '.',
          outDir: 'out',
        },
        include: ['*.ts'],
      }),
    );
    run(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', '.'], project);

    for (const [name, printed] of Object.entries(EXPECTED_OUTPUT)) {
      const output = run(process.execPath, [join('out', `${name}.js`)], project);
      expect(output.trim(), name).toBe(printed);
    }
    // Resolved from the project's node_modules, not from the workspace.
    const resolved = run(
      process.execPath,
      ['--input-type=module', '-e', "console.log(import.meta.resolve('@warden/core'))"],
      project,
    );
    expect(resolved.trim()).toBe(
      `file://${join(project, 'node_modules', '@warden', 'core', 'dist', 'index.js')}`,
    );
  });
});
