// Builds every public package under packages/ (those whose package.json is not `private`) and
// packs each into a tarball a user can install: `node scripts/pack-public.mjs <destination>`.
// pnpm pack replaces `workspace:*` with the packed version and applies `publishConfig` (the
// exports map without the workspace-only `source` condition). Prints the tarballs' paths.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const destination = resolve(process.argv[2] ?? join(root, '.packs'));
const bin = (name) => join(root, 'node_modules', '.bin', name);

const packages = readdirSync(join(root, 'packages'))
  .sort()
  .map((entry) => join(root, 'packages', entry))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .filter((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private !== true);

mkdirSync(destination, { recursive: true });
execFileSync(bin('tsc'), ['-b', ...packages], { cwd: root, stdio: 'inherit' });
for (const dir of packages) {
  const out = execFileSync(bin('pnpm'), ['pack', '--pack-destination', destination], {
    cwd: dir,
    encoding: 'utf8',
  });
  const tarball = out
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.endsWith('.tgz'));
  if (tarball === undefined) throw new Error(`pnpm pack printed no tarball for ${dir}:\n${out}`);
  console.log(tarball);
}
