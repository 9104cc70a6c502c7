// A node's name is bound to a credential only that node holds (docs/security.md): a member that
// holds the cluster secret, and even a certificate of its own, cannot take another member's name.
import { createNode, defineActor, Pid, reply } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  createClusterKey,
  createWsTransport,
  issueNodeCredential,
  isWsTransportError,
  type NodeIdentityOptions,
  type WsTransportEvent,
  type WsTransportOptions,
} from '../src/index.js';
import { CLOSE } from '../src/internal/close-codes.js';
import { KIND } from '../src/internal/envelope-wire.js';
import { identityOf, presented } from './credentials.js';
import { nodeStarter, SECRET, type TestNode } from './harness.js';
import { RawPeer } from './raw-peer.js';

const start = nodeStarter();

const echo = defineActor<null, void, unknown>({
  init: () => null,
  handleCall: (request, _from, state) => reply(request, state),
});

interface Stage {
  readonly a: TestNode;
  readonly honest: TestNode;
  readonly events: WsTransportEvent[];
  readonly srv: Pid;
}

/**
 * `a` and `honest`, connected, as the harness starts every node: no identity option given, each
 * proves its name with the credential the test cluster's key issued it.
 */
async function stage(): Promise<Stage> {
  const clock = new TestClock();
  const events: WsTransportEvent[] = [];
  const a = await start('a', clock, { onEvent: (e) => events.push(e) });
  const honest = await start('honest', clock);
  await honest.transport.connect(a.address);
  const srv = a.node.spawn(echo);
  return { a, honest, events, srv };
}

const reasons = (events: WsTransportEvent[]) =>
  events.flatMap((e) => (e.type === 'handshake.rejected' ? [`${e.status} ${e.reason}`] : []));
const downs = (events: WsTransportEvent[]) =>
  events.flatMap((e) => (e.type === 'connection.down' ? [e] : []));

async function honestStillServed({ a, honest, events, srv }: Stage): Promise<void> {
  expect(await honest.node.call(srv, 'still here')).toBe('still here');
  expect(a.node.nodes()).toEqual(['honest']);
  expect(downs(events).filter((e) => e.node === 'honest')).toEqual([]);
}

/** What `createWsTransport` throws for these options, or undefined if it does not. */
function creationError(options: unknown): unknown {
  try {
    createWsTransport(options as WsTransportOptions);
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('the identity option', () => {
  it('is required: a transport without one refuses to start with ERR_INVALID_OPTION naming it', () => {
    for (const identity of [undefined, null, 'a', {}]) {
      const error = creationError(
        identity === undefined ? { secret: SECRET } : { secret: SECRET, identity },
      );
      expect(isWsTransportError(error, 'ERR_INVALID_OPTION')).toBe(true);
      expect(error).toMatchObject({ field: 'identity' });
    }
    expect(creationError({ secret: SECRET })).toMatchObject({
      message: expect.stringMatching(/^invalid identity: undefined/),
    });
  });

  it('is checked after the secret, so a missing secret is still ERR_NO_SECRET', () => {
    expect(isWsTransportError(creationError({}), 'ERR_NO_SECRET')).toBe(true);
  });
});

describe('node identity', () => {
  it('refuses, with the default configuration, a holder of the secret alone claiming a live name', async () => {
    const s = await stage();
    // Finding of the old protocol: the right secret, a live member's name and a fresh
    // incarnation were enough to supersede the member and act as it.
    const claim = RawPeer.connect(s.a.address, {
      name: 'honest',
      incarnation: 'impostor01',
      identity: 'none',
    });
    expect(isWsTransportError(await claim.catch((e: unknown) => e), 'ERR_AUTH_REJECTED')).toBe(
      true,
    );
    expect(reasons(s.events)).toEqual(['401 bad certificate']);
    await honestStillServed(s);
  });

  it('refuses to start a node under a name its credential does not vouch for', () => {
    // The impostor with a transport of its own: its credential is mallory's, its node 'honest'.
    const transport = createWsTransport({ secret: SECRET, identity: identityOf('mallory') });
    expect(() => createNode({ name: 'honest', clock: new TestClock(), transport })).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION', field: 'identity' }),
    );
  });

  it('refuses a member that claims another live name with its own credential', async () => {
    const s = await stage();
    const claim = RawPeer.connect(s.a.address, {
      name: 'honest',
      incarnation: 'impostor01',
      identity: presented('mallory', 'mallory'),
    });
    expect(isWsTransportError(await claim.catch((e: unknown) => e), 'ERR_AUTH_REJECTED')).toBe(
      true,
    );
    expect(reasons(s.events)).toEqual(['401 certificate names another node']);
    await honestStillServed(s);
  });

  it('refuses a member that presents the certificate of another without its private key', async () => {
    const s = await stage();
    // Certificates are public (they travel in gossip): this one is honest's, the key mallory's.
    const claim = RawPeer.connect(s.a.address, {
      name: 'honest',
      incarnation: 'impostor01',
      identity: presented('honest', 'mallory'),
    });
    expect(isWsTransportError(await claim.catch((e: unknown) => e), 'ERR_AUTH_REJECTED')).toBe(
      true,
    );
    expect(reasons(s.events)).toEqual(['401 bad signature']);
    await honestStillServed(s);
  });

  it('refuses a peer with the secret but no credential, and one certified by another cluster', async () => {
    const s = await stage();
    const bare = RawPeer.connect(s.a.address, { name: 'bare', identity: 'none' });
    expect(isWsTransportError(await bare.catch((e: unknown) => e), 'ERR_AUTH_REJECTED')).toBe(true);
    const foreign = createClusterKey();
    const other = RawPeer.connect(s.a.address, {
      name: 'stranger',
      identity: presented('stranger', 'stranger', foreign),
    });
    expect(isWsTransportError(await other.catch((e: unknown) => e), 'ERR_AUTH_REJECTED')).toBe(
      true,
    );
    expect(reasons(s.events)).toEqual([
      '401 bad certificate',
      '401 certificate not signed by the cluster key',
    ]);
    await honestStillServed(s);
  });

  it('lets the same identity supersede its old connection with a new incarnation', async () => {
    const s = await stage();
    const restarted = RawPeer.connect(s.a.address, {
      name: 'honest',
      incarnation: 'restarted1',
      identity: presented('honest', 'honest'),
    });
    const peer = await restarted;
    expect(downs(s.events)).toEqual([
      expect.objectContaining({ node: 'honest', code: CLOSE.superseded }),
    ]);
    expect(await peer.roundTrip()).toBe('open');
    peer.close();
  });

  it('closes the connection of a member that sends a call from a pid of another node', async () => {
    const s = await stage();
    const mallory = await RawPeer.connect(s.a.address, {
      name: 'mallory',
      identity: presented('mallory', 'mallory'),
    });
    const honestPid = new Pid('honest', s.honest.node.incarnation, 1);
    mallory.send(mallory.batch([[KIND.call, s.srv, honestPid, 7, 'forged']]));
    expect((await mallory.closed).code).toBe(CLOSE.violation);
    await honestStillServed(s);
  });

  it('refuses a server whose certificate the cluster key did not sign', async () => {
    const clock = new TestClock();
    const foreign = createClusterKey();
    const fake = await start('a', clock, { identity: identityOf('a', foreign) });
    const transport = createWsTransport({ secret: SECRET, identity: identityOf('victim') });
    const node = createNode({ name: 'victim', clock, transport });
    try {
      const error = await transport.connect(fake.address).catch((e: unknown) => e);
      expect(isWsTransportError(error, 'ERR_AUTH_REJECTED')).toBe(true);
      expect(node.nodes()).toEqual([]);
    } finally {
      await node.stop();
      await transport.close();
    }
  });

  it('refuses at creation a credential that does not match: wrong key, expired, other name', () => {
    const cluster = createClusterKey();
    const mine = issueNodeCredential(cluster.privateKey, 'n1', { expiresAt: Date.now() + 60_000 });
    const theirs = issueNodeCredential(cluster.privateKey, 'n2', {
      expiresAt: Date.now() + 60_000,
    });
    const old = issueNodeCredential(cluster.privateKey, 'n1', { expiresAt: Date.now() - 1 });
    const attempt = (identity: NodeIdentityOptions) => {
      try {
        createWsTransport({ secret: SECRET, identity });
        return undefined;
      } catch (e) {
        return e;
      }
    };
    const base = { clusterKey: cluster.publicKey };
    expect(
      isWsTransportError(
        attempt({ ...base, certificate: mine.certificate, privateKey: theirs.privateKey }),
        'ERR_INVALID_OPTION',
      ),
    ).toBe(true);
    expect(
      isWsTransportError(
        attempt({ ...base, certificate: old.certificate, privateKey: old.privateKey }),
        'ERR_INVALID_OPTION',
      ),
    ).toBe(true);
    const transport = createWsTransport({
      secret: SECRET,
      identity: { ...base, certificate: mine.certificate, privateKey: mine.privateKey },
    });
    expect(() => createNode({ name: 'n2', clock: new TestClock(), transport })).toThrowError(
      expect.objectContaining({ code: 'ERR_INVALID_OPTION' }),
    );
  });
});
