// The counter system, announcing each worker thread that loads it on a broadcast channel: how
// a test sees whether a second check starts new threads or reuses the first check's.
import { isMainThread, threadId } from 'node:worker_threads';
import { counterSystem } from './counter-system.mjs';

if (!isMainThread) {
  const channel = new BroadcastChannel('warden-testkit-worker-loads');
  channel.postMessage(threadId);
  channel.close();
}

export const { setup, invariants } = counterSystem('permanent');
