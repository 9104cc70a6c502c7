// The in-memory bundle passes the conformance suite every durable store passes.
import { describe, it } from 'vitest';
import { agentStoreConformance } from '../../src/store/conformance/index.js';
import { MemoryAgentStore } from '../../src/store/memory-agent-store.js';

describe('MemoryAgentStore: the AgentStore conformance suite', () => {
  for (const c of agentStoreConformance()) {
    it(c.name, () => c.run(async () => new MemoryAgentStore()));
  }
});
