import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A certificate for `wss` between the two processes of the distribution workload, in PEM (plain
 * strings, so that they travel to the peer process in its JSON options). Self-signed: it is its
 * own CA, which the dialing node trusts and nothing else does.
 */
export interface BenchTls {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** Whether openssl runs here, and if not, why (the reason the bench prints). */
export type OpensslCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

let openssl: OpensslCheck | undefined;
let made: BenchTls | undefined;

/**
 * Whether the openssl CLI runs here (asked once): without it the bench makes no certificate and
 * its TLS cases are skipped, with this reason.
 */
export function opensslAvailable(): OpensslCheck {
  if (openssl !== undefined) return openssl;
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    openssl = { ok: true };
  } catch (error) {
    openssl = { ok: false, reason: `the openssl CLI does not run (${(error as Error).message})` };
  }
  return openssl;
}

/**
 * A self-signed P-256 certificate for 127.0.0.1, valid one day, made once per process with the
 * openssl CLI (as transport-ws's TLS tests make theirs). The files live in a temporary folder
 * only while openssl writes them; it is removed before this returns, failed or not.
 */
export function selfSignedTls(): BenchTls {
  if (made !== undefined) return made;
  const dir = mkdtempSync(join(tmpdir(), 'warden-bench-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=warden-bench',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    made = { cert, key: readFileSync(join(dir, 'key.pem'), 'utf8'), ca: cert };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
