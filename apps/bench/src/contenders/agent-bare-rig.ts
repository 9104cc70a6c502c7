import type { AgentRig, AgentRigOptions } from './agent-rig.js';
import { AgentTally, agentTurn, latency, taskText, threadOf } from './agent-script.js';

type BareMessage =
  | { readonly role: 'user'; readonly text: string }
  | { readonly role: 'assistant'; readonly callId: string; readonly id: number }
  | { readonly role: 'assistant'; readonly text: string }
  | { readonly role: 'tool'; readonly callId: string; readonly output: unknown };

/**
 * The baseline: the same scripted answers and the same tool function, called from a plain loop
 * over a plain message list. No framework, no schema check, no checkpoint: what is left of a
 * step when everything an agent framework adds is taken away. Each thread's transcript is kept
 * (plain objects in a map), the floor of what any framework's per-thread state must hold.
 */
export function bareAgentRig(options: AgentRigOptions): AgentRig {
  const tally = new AgentTally();
  const { latencyMs, onModelCall } = options;
  const transcripts = new Map<number, BareMessage[]>();
  return {
    tally,
    async run(thread: number): Promise<string> {
      const messages: BareMessage[] = [{ role: 'user', text: taskText(thread) }];
      transcripts.set(thread, messages);
      let toolResults = 0;
      for (;;) {
        tally.modelCalls++;
        if (onModelCall !== undefined) {
          const first = messages[0] as { readonly text: string };
          onModelCall(threadOf(first.text));
        }
        await latency(latencyMs);
        const turn = agentTurn(toolResults);
        if (turn.kind === 'answer') {
          messages.push({ role: 'assistant', text: turn.text });
          return turn.text;
        }
        const callId = `call-${toolResults + 1}`;
        messages.push({ role: 'assistant', callId, id: turn.id });
        messages.push({ role: 'tool', callId, output: tally.lookup(turn.id) });
        toolResults++;
      }
    },
    close: async () => {
      transcripts.clear();
    },
  };
}
