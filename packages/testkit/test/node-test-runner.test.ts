import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('outside vitest', () => {
  it("runs under node's own test runner: one check passes, one finds its bug", () => {
    // tsx is this package's own dev dependency: resolve its CLI from here and run it with this
    // very Node, so nothing depends on what a root install happens to hoist.
    const run = spawnSync(
      process.execPath,
      [
        createRequire(import.meta.url).resolve('tsx/cli'),
        '--conditions=source',
        '--test',
        join(import.meta.dirname, 'node-runner', 'check-system.node.ts'),
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/# pass 2/);
    expect(output).toMatch(/# fail 0/);
  }, 70_000);
});
