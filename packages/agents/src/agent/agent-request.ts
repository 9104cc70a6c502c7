import { LazyAbortRequest } from '../model/internal/lazy-abort-request.js';
import type { Message } from '../model/message.js';
import type { ModelRequest, ToolSpec } from '../model/model-request.js';
import type { TaskSignal } from '../tools/task-signal.js';
import type { Run } from './agent-run.js';

/**
 * The request an agent's step sends its model: the fields of a `ModelRequest`, with `signal` the
 * run's, made when the client first reads it (`Run.signal`). A client that reads it (an HTTP
 * client handing it to `fetch`, the model policy) gets the task's signal as before; one that only
 * needs to know whether the task was aborted (the scripted model answering at once) asks
 * `isRequestAborted`, which reads `aborted` here, and the task makes no `AbortSignal` for it.
 *
 * `signal` is an own enumerable accessor, one shared by every request (a literal with a getter of
 * its own is a dictionary object on V8), so a client that copies the request with a spread
 * (`{ ...request, model }`) still passes the signal on, read at that moment.
 */
export class AgentRequest extends LazyAbortRequest implements ModelRequest {
  static readonly #signalProperty: PropertyDescriptor = {
    get(this: AgentRequest): AbortSignal {
      return this.#run.signal;
    },
    enumerable: true,
    configurable: true,
  };

  readonly system: string;
  readonly messages: readonly Message[];
  readonly tools: readonly ToolSpec[];
  readonly maxOutputTokens: number;
  declare readonly signal: AbortSignal;
  readonly #run: Run;

  constructor(
    system: string,
    messages: readonly Message[],
    tools: readonly ToolSpec[],
    maxOutputTokens: number,
    run: Run,
  ) {
    super();
    this.system = system;
    this.messages = messages;
    this.tools = tools;
    this.maxOutputTokens = maxOutputTokens;
    this.#run = run;
    Object.defineProperty(this, 'signal', AgentRequest.#signalProperty);
  }

  /** The run behind `request` if it is an agent step's (`taskSignalOf`). */
  static taskOf(request: object): TaskSignal | undefined {
    return #run in request ? (request as AgentRequest).#run : undefined;
  }

  /** Whether the task was aborted, without making its signal. */
  get aborted(): boolean {
    return this.#run.aborted;
  }
}

/**
 * The task's abort behind an agent step's request, as a `TaskSignal`, without making its
 * `AbortSignal`: for a client inside the package that waits on it (the scripted model, which
 * waits on the clock for most calls of a simulation). `undefined` for any other request (a copy
 * made with a spread, the policy's), whose `signal` is the one to wait on.
 */
export function taskSignalOf(request: object): TaskSignal | undefined {
  return AgentRequest.taskOf(request);
}
