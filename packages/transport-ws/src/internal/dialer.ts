import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import WebSocket from 'ws';
import { formatAddress, type PeerAddress } from '../address.js';
import { WsTransportError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';
import { signTranscript, transcriptSigned, verifyCertificate } from './certificate.js';
import {
  CHALLENGE_PATH,
  type ClientHello,
  clientProof,
  clientTranscript,
  HEADER,
  helloHeaders,
  type Identity,
  NODE_NAME,
  newNonce,
  PROTOCOL_VERSION,
  proofMatches,
  readIdentity,
  serverProof,
  serverTranscript,
  UPGRADE_PATH,
} from './handshake.js';

export interface Dialed {
  readonly ws: WebSocket;
  readonly server: Identity;
}

/**
 * The dialing side of the handshake (see handshake.ts): fetch a challenge, upgrade with our
 * proof, and check the server's proof in the `upgrade` event, before the socket opens and
 * before we send a frame. Rejects with a `WsTransportError`: `ERR_AUTH_REJECTED` (401 from the
 * server, or the server's proof fails), `ERR_SELF_CONNECT`, or `ERR_CONNECT_REFUSED` (with the
 * HTTP status in the message, or the network error as `cause`).
 */
export async function dial(
  address: PeerAddress,
  self: Identity,
  options: ResolvedOptions,
): Promise<Dialed> {
  const challenge = await fetchChallenge(address, options);
  if (challenge.node === self.node) {
    throw new WsTransportError('ERR_SELF_CONNECT', `${formatAddress(address)} is this node`);
  }
  return upgrade(address, challenge, self, options);
}

/** The second half of `dial`: the upgrade, once the challenge is in hand. */
export function upgrade(
  address: PeerAddress,
  challenge: { token: string; node: string },
  self: Identity,
  options: ResolvedOptions,
): Promise<Dialed> {
  const hello: ClientHello = {
    ...self,
    challenge: challenge.token,
    nonce: newNonce(),
    time: Math.floor(options.wallClock()),
    target: challenge.node,
  };
  const signature = signTranscript(options.identity.privateKey, clientTranscript(hello));
  const scheme = options.tls ? 'wss' : 'ws';
  const ws = new WebSocket(`${scheme}://${formatAddress(address)}${UPGRADE_PATH}`, {
    perMessageDeflate: false,
    maxPayload: options.maxPayload,
    followRedirects: false,
    handshakeTimeout: options.handshakeTimeout,
    closeTimeout: 2000,
    headers: helloHeaders(hello, clientProof(options.secret, hello), signature),
    ...tlsClientOptions(options),
  } as WebSocket.ClientOptions);
  return new Promise<Dialed>((resolve, reject) => {
    let server: Identity | undefined;
    let failure: WsTransportError | undefined;
    const done = (): void => {
      ws.off('upgrade', onUpgrade);
      ws.off('unexpected-response', onResponse);
      ws.off('open', onOpen);
      ws.off('error', onError);
      ws.off('close', onClose);
    };
    const onUpgrade = (res: IncomingMessage): void => {
      const identity = readIdentity(res.headers);
      const proof = res.headers[HEADER.proof];
      if (
        identity === undefined ||
        identity.node !== challenge.node ||
        !proofMatches(
          serverProof(options.secret, hello, identity),
          typeof proof === 'string' ? proof : undefined,
        ) ||
        !serverProvesIdentity(res, hello, identity, options)
      ) {
        failure = new WsTransportError(
          'ERR_AUTH_REJECTED',
          `${formatAddress(address)} failed to prove the secret`,
        );
        ws.terminate();
        res.socket?.destroy();
        return;
      }
      server = identity;
    };
    const onResponse = (_req: unknown, res: IncomingMessage): void => {
      const status = res.statusCode ?? 0;
      failure =
        status === 401
          ? new WsTransportError('ERR_AUTH_REJECTED', `${formatAddress(address)} refused our proof`)
          : status === 409
            ? new WsTransportError(
                'ERR_DUPLICATE',
                `${challenge.node} already has a connection with us`,
              )
            : new WsTransportError(
                'ERR_CONNECT_REFUSED',
                `${formatAddress(address)} answered ${status}`,
              );
      res.resume();
      ws.terminate();
    };
    const onOpen = (): void => {
      // Hold inbound frames until the connection's listeners are on (after this promise settles).
      ws.pause();
      done();
      ws.on('error', noop);
      resolve({ ws, server: server as Identity });
    };
    const onError = (error: Error): void => {
      failure ??= new WsTransportError(
        'ERR_CONNECT_REFUSED',
        `cannot reach ${formatAddress(address)}`,
        { cause: error },
      );
    };
    const onClose = (): void => {
      done();
      ws.on('error', noop);
      reject(
        failure ??
          new WsTransportError(
            'ERR_CONNECT_REFUSED',
            `${formatAddress(address)} closed the handshake`,
          ),
      );
    };
    ws.on('upgrade', onUpgrade);
    ws.on('unexpected-response', onResponse);
    ws.on('open', onOpen);
    ws.on('error', onError);
    ws.on('close', onClose);
  });
}

/** The server's certificate names it, and its key signed our transcript. */
function serverProvesIdentity(
  res: IncomingMessage,
  hello: ClientHello,
  server: Identity,
  options: ResolvedOptions,
): boolean {
  const certificate = verifyCertificate(
    options.identity.clusterKey,
    res.headers[HEADER.certificate],
    options.wallClock(),
  );
  return (
    typeof certificate !== 'string' &&
    certificate.node === server.node &&
    transcriptSigned(
      certificate.key,
      serverTranscript(hello, server),
      res.headers[HEADER.signature],
    )
  );
}

function tlsClientOptions(options: ResolvedOptions): Record<string, unknown> {
  const tls = options.tls;
  if (tls === undefined) return {};
  return tls.servername === undefined ? { ca: tls.ca } : { ca: tls.ca, servername: tls.servername };
}

/** `GET /warden/v2/challenge`: a fresh token and the name of the node answering. */
export function fetchChallenge(
  address: PeerAddress,
  options: ResolvedOptions,
): Promise<{ token: string; node: string }> {
  const request = options.tls ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address.host,
        port: address.port,
        path: CHALLENGE_PATH,
        method: 'GET',
        agent: false,
        timeout: options.handshakeTimeout,
        headers: { [HEADER.version]: PROTOCOL_VERSION, connection: 'close' },
        ...tlsClientOptions(options),
      },
      (res) => {
        res.resume();
        const token = res.headers[HEADER.challenge];
        const node = res.headers[HEADER.node];
        if (
          res.statusCode !== 200 ||
          typeof token !== 'string' ||
          typeof node !== 'string' ||
          !NODE_NAME.test(node)
        ) {
          reject(
            new WsTransportError(
              'ERR_CONNECT_REFUSED',
              `${formatAddress(address)} gave no challenge (${res.statusCode})`,
            ),
          );
          return;
        }
        resolve({ token, node });
      },
    );
    req.on('timeout', () => req.destroy(new Error('challenge timed out')));
    req.on('error', (error) =>
      reject(
        new WsTransportError('ERR_CONNECT_REFUSED', `cannot reach ${formatAddress(address)}`, {
          cause: error,
        }),
      ),
    );
    req.end();
  });
}

function noop(): void {}
