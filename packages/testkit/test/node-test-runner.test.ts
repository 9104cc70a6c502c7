import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('outside vitest', () => {
  it("runs under node's own test runner: one check passes, one finds its bug", () => {
    const run = spawnSync(
      join(ROOT, 'node_modules', '.bin', 'tsx'),
      [
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
