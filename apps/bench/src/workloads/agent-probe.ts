/**
 * Takes one sample of an agent workload in a process of its own (see `agent-isolated.ts`):
 *
 *   node --expose-gc apps/bench/dist/workloads/agent-probe.js '{"kind":"step-overhead","contender":"warden","tasks":100}'
 *
 * Prints the sample as JSON on stdout.
 */
import { measureAgent, parseAgentMeasurement } from './agent-measure.js';

const [json] = process.argv.slice(2);
if (json === undefined || (globalThis as { gc?: unknown }).gc === undefined) {
  console.error("usage: node --expose-gc agent-probe.js '<measurement as JSON>'");
  process.exit(2);
}
const sample = await measureAgent(parseAgentMeasurement(json));
process.stdout.write(JSON.stringify(sample));
process.exit(0);
