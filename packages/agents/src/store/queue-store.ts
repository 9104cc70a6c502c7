/**
 * The queue of a degradation ladder is defined where the ladder is, in `@warden/resilience`; an
 * `AgentStore` keeps one per named queue level, so its durable stores implement that interface.
 */
export type { QueuedRequest, QueueStore } from '@warden/resilience';
