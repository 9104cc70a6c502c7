/**
 * Summarises a `.cpuprofile` written by `node --cpu-prof`: self time per function, largest first,
 * with the file it lives in, and the share of each area (warden core, peers, GC, the benchmark).
 *
 *   node --expose-gc --cpu-prof --cpu-prof-dir=/tmp/prof apps/bench/dist/main.js ping-pong \
 *     --contenders warden --runs 3
 *   node apps/bench/dist/profile-summary.js /tmp/prof/*.cpuprofile --top 20 --lines 15
 *
 * `--area` picks whose hottest lines `--lines` lists (default `warden core`; also
 * `warden machines`, `warden transport-ws`, `ws`, `msgpackr`, ...).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly hitCount?: number;
  /** Hits per source line (1-based) of this function's script. */
  readonly positionTicks?: readonly { line: number; ticks: number }[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

const AREAS: readonly [string, RegExp][] = [
  ['warden core', /packages\/core\//],
  ['warden machines', /packages\/machines\//],
  ['warden transport-ws', /packages\/transport-ws\//],
  ['ws', /\/node_modules\/ws\//],
  ['msgpackr', /\/node_modules\/msgpackr\//],
  ['cockatiel', /\/node_modules\/cockatiel\//],
  ['opossum', /\/node_modules\/opossum\//],
  ['xstate', /xstate/],
  ['nact', /nact/],
  ['bench', /apps\/bench\//],
  ['node', /^node:|^internal\//],
];

function areaOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : 'native';
  return AREAS.find(([, pattern]) => pattern.test(frame.url))?.[0] ?? 'other';
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const at = path.search(/(packages|apps)\//);
  if (at >= 0) return path.slice(at);
  const nm = path.lastIndexOf('node_modules/');
  return nm >= 0 ? path.slice(nm + 'node_modules/'.length) : path;
}

/** The hottest source lines of one area's top functions, with their text, for a closer look. */
async function hotLines(profile: Profile, area: string, top: number): Promise<string[]> {
  const hits = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0) || 1;
  const byLine = new Map<string, { url: string; line: number; ticks: number }>();
  for (const node of profile.nodes) {
    if (areaOf(node.callFrame) !== area) continue;
    for (const { line, ticks } of node.positionTicks ?? []) {
      const key = `${node.callFrame.url}:${line}`;
      const entry = byLine.get(key) ?? { url: node.callFrame.url, line, ticks: 0 };
      entry.ticks += ticks;
      byLine.set(key, entry);
    }
  }
  const sources = new Map<string, string[]>();
  const out: string[] = [];
  for (const e of [...byLine.values()].sort((a, b) => b.ticks - a.ticks).slice(0, top)) {
    if (!sources.has(e.url)) {
      const text = await readFile(new URL(e.url), 'utf8').catch(() => '');
      sources.set(e.url, text.split('\n'));
    }
    const code = (sources.get(e.url)?.[e.line - 1] ?? '').trim().slice(0, 90);
    const pct = ((100 * e.ticks) / hits).toFixed(1).padStart(5);
    out.push(`  ${pct}%  ${shortUrl(e.url)}:${e.line}  ${code}`);
  }
  return out;
}

export function summarize(profile: Profile, top: number): string {
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const hits = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0) || 1;
  const msPerHit = totalMs / hits;
  const byFunction = new Map<string, { label: string; area: string; ms: number }>();
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = (node.hitCount ?? 0) * msPerHit;
    if (ms === 0) continue;
    const f = node.callFrame;
    const where = f.url === '' ? '' : ` ${shortUrl(f.url)}:${f.lineNumber + 1}`;
    const label = `${f.functionName || '(anonymous)'}${where}`;
    const area = areaOf(f);
    const entry = byFunction.get(label) ?? { label, area, ms: 0 };
    entry.ms += ms;
    byFunction.set(label, entry);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
  }
  const pct = (ms: number) => `${((100 * ms) / totalMs).toFixed(1).padStart(5)}%`;
  const lines = [`total ${totalMs.toFixed(0)} ms`, '', 'by area:'];
  for (const [area, ms] of [...byArea].sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${pct(ms)}  ${ms.toFixed(0).padStart(7)} ms  ${area}`);
  }
  lines.push('', `top ${top} functions by self time:`);
  for (const e of [...byFunction.values()].sort((a, b) => b.ms - a.ms).slice(0, top)) {
    lines.push(`  ${pct(e.ms)}  ${e.ms.toFixed(0).padStart(7)} ms  [${e.area}] ${e.label}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '25' },
      lines: { type: 'string', default: '0' },
      area: { type: 'string', default: 'warden core' },
    },
  });
  if (positionals.length === 0) {
    console.error('usage: node apps/bench/dist/profile-summary.js <file.cpuprofile>... [--top n]');
    process.exitCode = 2;
    return;
  }
  for (const file of positionals) {
    const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
    console.log(`${file}\n${summarize(profile, Number(values.top))}\n`);
    const lines = Number(values.lines);
    if (lines > 0) {
      console.log(`hottest lines of ${values.area} (share of all samples):`);
      console.log(`${(await hotLines(profile, values.area, lines)).join('\n')}\n`);
    }
  }
}

await main();
