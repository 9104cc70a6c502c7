import { verifyAuditChain } from '@warden/agents';
import type { Invariant } from '../invariant.js';

/** Every audit log made with `sim.auditLog()` still verifies: no entry changed, lost or moved. */
export function auditChainIntact(): Invariant {
  return {
    name: 'audit chain intact',
    atEnd: async (sim) => {
      for (const [i, log] of sim.auditLogs.entries()) {
        const verdict = verifyAuditChain(await log.entries());
        if (!verdict.ok)
          return `audit log ${i} breaks at entry ${verdict.index}: ${verdict.reason}`;
      }
      return undefined;
    },
  };
}
