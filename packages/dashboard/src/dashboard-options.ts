import type { ApprovalDesk, EffectJournal } from '@warden/agents';
import { describeValue, optionChecks, WardenError } from '@warden/core';
import type { DeadLetterQueue } from '@warden/resilience';
import type { DashboardPeer } from './dashboard-peer.js';
import { DEFAULT_UI_DIR } from './ui-dir.js';

export interface DashboardOptions {
  /** Default 127.0.0.1. Anything but a loopback address needs `allowRemote`. */
  readonly host?: string;
  /** Default 0: a free port (read it from the server's `url`). */
  readonly port?: number;
  /**
   * Lets the dashboard bind an address other hosts can reach (0.0.0.0, a LAN address). The token
   * still guards every API call, but it travels in clear HTTP: put TLS in front. Default false.
   */
  readonly allowRemote?: boolean;
  /** Pending tool calls are listed, and can be approved or denied, from this desk. */
  readonly approvals?: ApprovalDesk;
  /** The effect journal the agents write (an `AgentStore`'s `journal`): a trace shows its entries. */
  readonly journal?: EffectJournal;
  /** Dead-letter queues to list, by the name shown. */
  readonly deadLetterQueues?: Readonly<Record<string, DeadLetterQueue>>;
  /** Other nodes whose state is shown beside this one's (see `httpPeer`). */
  readonly peers?: readonly DashboardPeer[];
  /**
   * Where the built page is (`index.html` and its assets). Default: the package's own `dist/ui`,
   * built with the package. `false` serves the API alone.
   */
  readonly uiDir?: string | false;
  /** Live connections at most; one more is refused with 503. Default 8. */
  readonly maxClients?: number;
  /** Messages queued for a client that does not read before it is dropped. Default 32. */
  readonly clientQueue?: number;
  /** How often changes are pushed, at most (node-clock ms). Default 250. */
  readonly intervalMs?: number;
  /** A comment line sent to a quiet connection this often (node-clock ms). Default 15 000. */
  readonly heartbeatMs?: number;
  /** The largest request body accepted, in bytes. Default 16 384. */
  readonly maxBodyBytes?: number;
  /** Processes listed per node at most. Default 1 000. */
  readonly maxProcesses?: number;
  /** Exited processes kept in the tree. Default 64. */
  readonly maxExited?: number;
  /** Trace items kept per agent. Default 50. */
  readonly traceLength?: number;
  /** Width of a chart's bucket (node-clock ms). Default 1 000. */
  readonly bucketMs?: number;
  /** Buckets per chart. Default 120. */
  readonly buckets?: number;
  /** Dead letters listed (the node's, and each queue's), most recent. Default 20. */
  readonly deadLetters?: number;
  /** How often peers are fetched (node-clock ms). Default 1 000. */
  readonly peerIntervalMs?: number;
  /** How long a peer's answer is awaited (node-clock ms). Default 2 000. */
  readonly peerTimeoutMs?: number;
}

export const DASHBOARD_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  allowRemote: false,
  maxClients: 8,
  clientQueue: 32,
  intervalMs: 250,
  heartbeatMs: 15_000,
  maxBodyBytes: 16_384,
  maxProcesses: 1_000,
  maxExited: 64,
  traceLength: 50,
  bucketMs: 1_000,
  buckets: 120,
  deadLetters: 20,
  peerIntervalMs: 1_000,
  peerTimeoutMs: 2_000,
});

type Limits = (typeof POSITIVE_INTS)[number] | 'maxExited' | 'deadLetters';

/** The options with every default filled in, checked. */
export interface ResolvedDashboardOptions extends Readonly<Record<Limits, number>> {
  readonly host: string;
  readonly port: number;
  readonly allowRemote: boolean;
  readonly approvals: ApprovalDesk | undefined;
  readonly journal: EffectJournal | undefined;
  readonly deadLetterQueues: Readonly<Record<string, DeadLetterQueue>>;
  readonly peers: readonly DashboardPeer[];
  readonly uiDir: string | false;
}

/** A bad option is core's `WardenError` `ERR_INVALID_ARGUMENT`, naming the field. */
export const checks = optionChecks(
  (field, value, expected) =>
    new WardenError(
      'ERR_INVALID_ARGUMENT',
      `invalid dashboard ${field}: ${describeValue(value)} (expected ${expected})`,
      { field },
    ),
);

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/** Whether `host` names this machine only. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

const POSITIVE_INTS = [
  'maxClients',
  'clientQueue',
  'intervalMs',
  'heartbeatMs',
  'maxBodyBytes',
  'maxProcesses',
  'traceLength',
  'bucketMs',
  'buckets',
  'peerIntervalMs',
  'peerTimeoutMs',
] as const;

export function resolveDashboardOptions(options: DashboardOptions): ResolvedDashboardOptions {
  checks.record('options', options);
  const host = checks.name('host', options.host ?? DASHBOARD_DEFAULTS.host);
  const port = checks.int('port', options.port ?? DASHBOARD_DEFAULTS.port, 0);
  if (port > 65_535) throw checks.invalid('port', port, 'a port number up to 65535');
  const allowRemote = checks.boolean(
    'allowRemote',
    options.allowRemote ?? DASHBOARD_DEFAULTS.allowRemote,
  );
  if (!allowRemote && !isLoopback(host)) {
    throw checks.invalid(
      'host',
      host,
      'a loopback address (127.0.0.1, ::1, localhost), or allowRemote: true',
    );
  }
  const ints = {} as Record<(typeof POSITIVE_INTS)[number], number>;
  for (const name of POSITIVE_INTS) {
    ints[name] = checks.int(name, options[name] ?? DASHBOARD_DEFAULTS[name], 1);
  }
  const maxExited = checks.int('maxExited', options.maxExited ?? DASHBOARD_DEFAULTS.maxExited, 0);
  const deadLetters = checks.int(
    'deadLetters',
    options.deadLetters ?? DASHBOARD_DEFAULTS.deadLetters,
    0,
  );
  const approvals = options.approvals;
  if (approvals !== undefined && typeof approvals?.pending !== 'function') {
    throw checks.invalid('approvals', approvals, 'an ApprovalDesk');
  }
  const journal = options.journal;
  if (journal !== undefined && typeof journal?.list !== 'function') {
    throw checks.invalid('journal', journal, 'an EffectJournal');
  }
  const queues = options.deadLetterQueues ?? {};
  checks.record('deadLetterQueues', queues);
  for (const [name, queue] of Object.entries(queues)) {
    if (typeof queue?.list !== 'function') {
      throw checks.invalid(`deadLetterQueues.${name}`, queue, 'a DeadLetterQueue');
    }
  }
  const peers = options.peers ?? [];
  if (!Array.isArray(peers)) throw checks.invalid('peers', peers, 'an array of DashboardPeer');
  for (const [i, peer] of peers.entries()) {
    if (typeof peer?.name !== 'string' || typeof peer?.fetch !== 'function') {
      throw checks.invalid(`peers[${i}]`, peer, 'a DashboardPeer (name, fetch)');
    }
  }
  const uiDir = options.uiDir ?? DEFAULT_UI_DIR;
  if (uiDir !== false) checks.name('uiDir', uiDir);
  return {
    ...ints,
    host,
    port,
    allowRemote,
    maxExited,
    deadLetters,
    approvals,
    journal,
    deadLetterQueues: queues,
    peers,
    uiDir,
  };
}
