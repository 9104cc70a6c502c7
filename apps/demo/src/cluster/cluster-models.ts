import { createResilientModel, type ModelClient } from '@warden/agents';
import { createScriptedModel, type Script } from '@warden/agents/testing';
import type { Node } from '@warden/core';
import { type Models, plannerTurn, workerTurn } from '../agents.js';
import { Chaos, parseFaults } from '../chaos.js';
import { realModels } from '../real-models.js';
import type { World } from '../world.js';

/**
 * A scripted model answers this long after it is called (system clock, ms). The cluster runs in
 * real time, so this is real time too: short enough for the demo to end in seconds, long enough
 * that a node can be killed while its workers are in the middle of their tickets.
 */
export const SCRIPTED_LATENCY_MS = 150;

/**
 * The models of one node: the real one from `WARDEN_MODEL_URL` when it is set, else the same
 * scripts as the single-node demo (they read the world's tickets to decide each turn), behind
 * the node's failure policy.
 */
export function clusterModels(node: Node, world: World, env: NodeJS.ProcessEnv): Models {
  const real = realModels(env);
  if (real !== undefined) return real(node);
  // No faults of the single-node demo here: the fault is the node that is killed.
  const calm = new Chaos(parseFaults(''), 0);
  const scripted = (name: string, script: Script): ModelClient =>
    createResilientModel({
      node,
      name,
      primary: createScriptedModel({
        clock: node.clock,
        provider: 'acme',
        model: 'acme-large',
        latencyMs: SCRIPTED_LATENCY_MS,
        script,
      }),
      cache: false,
      queue: false,
    });
  return {
    planner: scripted('planner model', plannerTurn),
    worker: scripted('worker model', (request) => workerTurn(world, calm, request)),
  };
}
