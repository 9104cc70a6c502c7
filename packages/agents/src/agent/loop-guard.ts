import { argsText } from '../governance/args-hash.js';
import { AgentError } from './agent-error.js';

export interface LoopGuardOptions {
  /** The same tool with the same canonical arguments this many times in the window trips. */
  readonly repeatedCalls: number;
  /** The same model text this many times in the window trips. */
  readonly repeatedOutputs: number;
  /** How many recent calls and outputs are remembered. */
  readonly window: number;
  /** `nudge` tells the model once and exits on the next trip; `exit` exits at once. */
  readonly action: 'nudge' | 'exit';
}

export const LOOP_GUARD_DEFAULTS: LoopGuardOptions = Object.freeze({
  repeatedCalls: 3,
  repeatedOutputs: 3,
  window: 20,
  action: 'nudge',
});

/** What the runtime does with a step: go on, tell the model it is looping, or stop the agent. */
export type LoopVerdict =
  | { readonly kind: 'ok' }
  | { readonly kind: 'nudge'; readonly message: string }
  | { readonly kind: 'exit'; readonly error: AgentError };

const OK: LoopVerdict = Object.freeze({ kind: 'ok' });

/**
 * Catches an agent going round in circles: a model that calls `search({"q":"x"})` for the fifth
 * time, or writes the same answer again, is not making progress however many steps it has left.
 * Calls compare by tool name and canonical arguments, so a reordered argument object is the same
 * call. The first trip nudges (when configured), the next one ends the agent with
 * `ERR_LOOP_DETECTED`; a step ceiling exists besides, in the budget.
 */
export class LoopGuard {
  readonly options: LoopGuardOptions;
  readonly #calls: string[] = [];
  readonly #outputs: string[] = [];
  #nudged = false;

  constructor(options: Partial<LoopGuardOptions> = {}) {
    this.options = { ...LOOP_GUARD_DEFAULTS, ...options };
  }

  /**
   * Records a tool call and judges it. Arguments that have no canonical form compare as text.
   * `text`, when the caller has it, is the arguments' canonical text (`argsText(input)`).
   */
  call(name: string, input: unknown, text?: string): LoopVerdict {
    const key = `${name}\u0000${text ?? keyOf(input)}`;
    const seen = remember(this.#calls, key, this.options.window);
    if (seen < this.options.repeatedCalls) return OK;
    return this.#trip(`tool ${name} called ${seen} times with the same arguments`, {
      tool: name,
      times: seen,
    });
  }

  /** Records a model's text output and judges it; empty text is not an output. */
  output(text: string): LoopVerdict {
    if (text.trim() === '') return OK;
    const seen = remember(this.#outputs, text, this.options.window);
    if (seen < this.options.repeatedOutputs) return OK;
    return this.#trip(`the same output repeated ${seen} times`, { output: true, times: seen });
  }

  #trip(what: string, detail: Record<string, unknown>): LoopVerdict {
    if (this.options.action === 'nudge' && !this.#nudged) {
      this.#nudged = true;
      return {
        kind: 'nudge',
        message: `Loop detected: ${what}. Change approach or finish; repeating it again ends the task.`,
      };
    }
    return {
      kind: 'exit',
      error: new AgentError('ERR_LOOP_DETECTED', `loop detected: ${what}`, { detail }),
    };
  }
}

/** Appends `key` to a bounded window and returns how often it occurs there now. */
function remember(window: string[], key: string, size: number): number {
  window.push(key);
  if (window.length > size) window.shift();
  let n = 0;
  for (const k of window) if (k === key) n++;
  return n;
}

/** The canonical text of the arguments (`argsText`: written directly for a flat object), else their text. */
function keyOf(input: unknown): string {
  return argsText(input) ?? String(input);
}
