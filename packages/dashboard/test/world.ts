import {
  type AnyTool,
  ApprovalDesk,
  defineAgent,
  defineTool,
  MemoryEffectJournal,
} from '@warden/agents';
import { createScriptedModel, type Script } from '@warden/agents/testing';
import type { Clock } from '@warden/core';
import { z } from 'zod';

/** Every run of a tool, with the arguments it ran with. */
export interface Ran {
  readonly tool: string;
  readonly input: unknown;
}

/** A read tool and an irreversible one (it needs a person: the policy asks), both recording runs. */
export function opsTools(ran: Ran[]): AnyTool[] {
  const lookup = defineTool({
    name: 'lookup',
    description: 'Looks a customer up',
    effect: 'read',
    input: z.object({ name: z.string() }),
    run: (input: unknown) => {
      ran.push({ tool: 'lookup', input });
      return { plan: 'pro' };
    },
  });
  const drop = defineTool({
    name: 'drop_database',
    description: 'Drops a database',
    effect: 'irreversible',
    input: z.object({ name: z.string() }),
    scope: (input: unknown) => `db:${(input as { name: string }).name}`,
    run: (input: unknown) => {
      ran.push({ tool: 'drop_database', input });
      return `dropped ${(input as { name: string }).name}`;
    },
  });
  return [lookup, drop];
}

/**
 * An ops agent on a scripted model whose irreversible calls wait for a person at `desk`, its
 * journal kept where the test (and the dashboard) can read it.
 */
export function opsAgent(
  clock: Clock,
  name: string,
  script: Script,
  options: { desk: ApprovalDesk; journal: MemoryEffectJournal; ran: Ran[] },
) {
  const model = createScriptedModel({ clock, script });
  const agent = defineAgent({
    name,
    model,
    system: 'You run operations.',
    tools: opsTools(options.ran),
    policy: { rules: [{ id: 'dba-approves', tools: ['drop_database'], decision: 'ask' }] },
    approvals: { desk: options.desk },
    journal: options.journal,
  });
  return { agent, model };
}

export { ApprovalDesk, MemoryEffectJournal };
