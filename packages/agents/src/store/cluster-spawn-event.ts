import type { Pid } from '@warden/core';
import type { LeaseLoss } from './lease-keeper.js';

/** What the guard tells the node's event stream (`node.inspect`), as `published` events. */
export type ClusterSpawnEvent = {
  readonly time: number;
  readonly owner: string;
  readonly key: string;
} & (
  | { readonly type: 'cluster_spawn.started'; readonly pid: Pid; readonly token: number }
  | { readonly type: 'cluster_spawn.joined'; readonly pid: Pid; readonly token: number }
  | { readonly type: 'cluster_spawn.ended'; readonly pid: Pid }
  | {
      readonly type: 'cluster_spawn.lease_lost';
      readonly pid: Pid | undefined;
      readonly why: LeaseLoss;
      readonly reason: string;
    }
);
