import type { Pid } from '@warden/core';
import type { SpawnOnceResult } from '../spawn-once.js';
import type { SpawnStart } from '../spawn-start.js';
import { deferred } from './deferred.js';

/** The one start queued behind a running child: later duplicates join it rather than queue. */
export interface FollowUp {
  readonly start: SpawnStart;
  readonly taskType: string;
  readonly promise: Promise<SpawnOnceResult>;
  readonly resolve: (result: SpawnOnceResult) => void;
  readonly reject: (error: unknown) => void;
}

/** The guard's record of one key, from its first start until the key is free again. */
export interface Entry {
  readonly key: string;
  readonly taskType: string;
  readonly dynamic: boolean;
  pid: Pid | undefined;
  /** A start, replacement or exit check in progress: callers wait for it, then look again. */
  busy: Promise<unknown> | undefined;
  followUp: FollowUp | undefined;
}

/** A key's entry before its child has started: nothing running yet, no start in flight. */
export function createEntry(key: string, taskType: string, start: SpawnStart): Entry {
  return {
    key,
    taskType,
    dynamic: 'extra' in start,
    pid: undefined,
    busy: undefined,
    followUp: undefined,
  };
}

/** Its promise is the caller's `next`, which the caller may ignore: handled, so never unhandled. */
export function createFollowUp(start: SpawnStart, taskType: string): FollowUp {
  return { start, taskType, ...deferred<SpawnOnceResult>(true) };
}
