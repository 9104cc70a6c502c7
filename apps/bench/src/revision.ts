import { execFileSync } from 'node:child_process';

/** The commit measured, and whether warden's core had uncommitted changes (numbers then drift). */
export function describeRevision(repoRoot: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'packages/core/src') !== '';
    return dirty ? `${head} with uncommitted changes in packages/core/src` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
