export { type SettleParticipant, TestClock } from './test-clock.js';
export { type ExpectOptions, type ProbeOptions, TestProbe } from './test-probe.js';
