import type { Effect } from '../tools/tool.js';
import type { ApprovalKind } from './approval-desk.js';

/**
 * What the gate tells observers (the agent publishes it on the node's event stream) about a call
 * that waits for a person: the request filed at the desk, then its answer. A call approved ahead
 * (`desk.grant`) waits for nobody and has neither: its journal entry says who decided. `key` is
 * the call's journal entry.
 */
export type ApprovalEvent =
  | {
      readonly type: 'governance.approval_requested';
      readonly tool: string;
      readonly effect: Effect;
      readonly key: string;
      /** The desk's id of the request (`desk.approve(id, ...)`). */
      readonly requestId: string;
      readonly kind: ApprovalKind;
      /** The policy rule that sent it to a person. */
      readonly rule: string;
    }
  | {
      readonly type: 'governance.approval_decided';
      readonly tool: string;
      readonly key: string;
      readonly requestId: string;
      /**
       * `approved`; `denied` by a person or because the approval handed back did not hold;
       * `timeout`, nobody answered by the deadline; `withdrawn`, the task was cancelled.
       */
      readonly decision: 'approved' | 'denied' | 'timeout' | 'withdrawn';
      /** `person:<name>`, `approval` (one that did not check out), `timeout` or `cancel`. */
      readonly by: string;
    };
