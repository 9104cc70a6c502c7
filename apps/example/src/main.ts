/**
 * The demo: the supervision tree of `scenario.ts` on the system clock, printed as it happens.
 * The same scenario runs on a TestClock in `test/scenario.test.ts`.
 */
import { createNode } from '@warden/core';
import { runScenario } from './scenario.js';

const result = await runScenario(createNode({ name: 'example' }), (line) => console.log(line));
process.exitCode = result.survived ? 0 : 1;
