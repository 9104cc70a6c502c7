// TLS (wss) when a certificate is configured: a self-signed certificate made at test time with
// openssl (skipped, saying so, where openssl is missing).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineActor, reply } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAddress } from '../src/address.js';
import { isWsTransportError, type TlsOptions } from '../src/index.js';
import { fetchChallenge } from '../src/internal/dialer.js';
import { resolveOptions } from '../src/options.js';
import { identityOf } from './credentials.js';
import { nodeStarter, SECRET, until } from './harness.js';

function openssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const HAS_OPENSSL = openssl();
let dir = '';
let tls: TlsOptions;

beforeAll(() => {
  if (!HAS_OPENSSL) return;
  dir = mkdtempSync(join(tmpdir(), 'warden-tls-'));
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
      '/CN=warden-test',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(join(dir, 'cert.pem'));
  tls = { cert, key: readFileSync(join(dir, 'key.pem')), ca: cert };
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const echo = defineActor<null, void, unknown>({
  init: () => null,
  handleCall: (request, _from, state) => reply(request, state),
});

describe.skipIf(!HAS_OPENSSL)('TLS (openssl available)', () => {
  const start = nodeStarter();

  it('joins nodes over wss and calls across them', async () => {
    const clock = new TestClock();
    const a = await start('a', clock, { tls });
    const b = await start('b', clock, { tls });
    expect(await a.transport.connect(b.address)).toBe('b');
    const srv = b.node.spawn(echo);
    expect(await a.node.call(srv, { over: 'tls' })).toEqual({ over: 'tls' });
  });

  it('joins nodes with node identities over wss, the upgraded socket no longer pending', async () => {
    const clock = new TestClock();
    const a = await start('a', clock, { tls, identity: identityOf('a') });
    const b = await start('b', clock, {
      tls,
      identity: identityOf('b'),
      handshakeTimeout: 60_000,
    });
    expect(await a.transport.connect(b.address)).toBe('b');
    // Under TLS the upgraded socket wraps the TCP socket that was pending: it is released, so
    // handshakeTimeout cannot end an established connection.
    await until(() => b.transport.stats().pendingHandshakes === 0, 'no pending handshake');
    const srv = b.node.spawn(echo);
    expect(await a.node.call(srv, { over: 'tls', identity: true })).toEqual({
      over: 'tls',
      identity: true,
    });
  });

  it('speaks no plain HTTP on a TLS listener', async () => {
    const clock = new TestClock();
    const a = await start('a', clock, { tls });
    const plain = resolveOptions({
      secret: SECRET,
      identity: identityOf('plain'),
      handshakeTimeout: 1000,
    });
    const error = await fetchChallenge(parseAddress(a.address), plain).catch((e: unknown) => e);
    expect(isWsTransportError(error, 'ERR_CONNECT_REFUSED')).toBe(true);
  });

  it('refuses a server whose certificate does not chain to the configured CA', async () => {
    const clock = new TestClock();
    const a = await start('a', clock, { tls });
    const b = await start('b', clock, { tls: { cert: tls.cert, key: tls.key } });
    const error = await b.transport.connect(a.address, { timeout: 0 }).catch((e: unknown) => e);
    expect(isWsTransportError(error)).toBe(true);
    expect(a.node.nodes()).toEqual([]);
  });
});
