/**
 * Makes an error (or anything that captures a stack) without a stack trace. For errors that are
 * news of something that happened elsewhere (a process's exit, an abort, a provider's answer):
 * made deep in a runtime, their stack names only its frames, never the code that waits for them,
 * and capturing one is most of what making them costs. Their `stack` is their first line. An
 * error thrown at a caller's misuse should keep its stack: there it points at the line to fix.
 */
export function withoutStack<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
