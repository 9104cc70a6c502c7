/** The counters, by name: each a tally reported as a cumulative observable counter. */
export const COUNTERS = {
  restarts: ['warden.supervisor.restarts', 'Children restarted by a supervisor', undefined],
  escalations: [
    'warden.supervisor.escalations',
    'Supervisors that gave up (intensity or a meter crossed) and escalated',
    undefined,
  ],
  crashes: ['warden.actor.crashes', 'Crash reports: a process whose own code threw', undefined],
  deadLetters: ['warden.deadletters', 'Messages that reached no process, by reason', undefined],
  tokens: ['warden.agent.tokens', 'Tokens spent by agents, by agent, model and type', '{token}'],
  cost: ['warden.agent.cost', 'What agents spent on models, from the price table given', 'USD'],
  steps: [
    'warden.agent.steps',
    'Agent steps (one model answer each), by agent and model',
    undefined,
  ],
  toolCalls: [
    'warden.agent.tool_calls',
    'Tool calls of agents, by tool, effect and outcome',
    undefined,
  ],
  approvals: [
    'warden.agent.approvals',
    'Tool calls a person was asked about, by tool and decision',
    undefined,
  ],
  traceDropped: [
    'warden.trace_context.dropped',
    'Trace contexts from other nodes dropped as malformed or too large, by reason',
    undefined,
  ],
  budgetExceeded: ['warden.agent.budget_exceeded', 'Agent tasks stopped by a budget', undefined],
  ladderMoves: [
    'warden.ladder.moves',
    'Moves of a degradation ladder, by source and the rung moved to',
    undefined,
  ],
} as const;

export type CounterName = keyof typeof COUNTERS;
