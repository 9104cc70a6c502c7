export { agentStoreConformance } from './agent-store-conformance.js';
export { type ConformanceCase, failsWith, withStore } from './conformance-case.js';
