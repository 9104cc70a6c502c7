import type { Invariant } from '../invariant.js';

/**
 * No process outlives its parent: every live process was spawned by the node (no parent) or by
 * a process still alive. A worker left running after its supervisor stopped is an orphan nobody
 * restarts, stops or counts. `allow` names processes meant to outlive their parent.
 */
export function noOrphans(options: { allow?: (name: string) => boolean } = {}): Invariant {
  return {
    name: 'no orphaned process',
    always: (sim) => {
      for (const { node, pid } of sim.liveProcesses()) {
        const parent = node.processInfo(pid)?.parent;
        if (parent === undefined || parent.node !== node.name) continue;
        if (!node.isAlive(parent) && options.allow?.(sim.nameOf(pid)) !== true) {
          return `${sim.nameOf(pid)} is alive but its parent ${sim.nameOf(parent)} has exited`;
        }
      }
      return undefined;
    },
  };
}
