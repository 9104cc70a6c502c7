/**
 * Measures the retained heap per idle actor of one contender in a process of its own, so that
 * nothing run before skews it. Used by the memory workload:
 *
 *   node --expose-gc apps/bench/dist/memory-probe.js <raw|warden|xstate|nact> <actors>
 *
 * Prints the sample as JSON on stdout.
 */
import { CONTENDERS, type ContenderName } from './workload.js';
import { canMeasureMemory, measureMemory } from './workloads/memory.js';

const [contender, count] = process.argv.slice(2);
const n = Number(count);
if (!CONTENDERS.includes(contender as ContenderName) || !(n > 0) || !canMeasureMemory()) {
  console.error('usage: node --expose-gc memory-probe.js <raw|warden|xstate|nact> <actors>');
  process.exit(2);
}
const sample = await measureMemory(contender as ContenderName, n);
process.stdout.write(JSON.stringify(sample));
process.exit(0);
