/**
 * The `args` a behaviour-form child starts with: OTP's `A ++ ExtraArgs`, for one-value args
 * (decision 0018). Without `extra`, the template's args; without template args, `extra` itself.
 * Otherwise both are read as argument lists (an array is its elements, any other value one
 * argument) and the child gets their concatenation: `[1, 2]` and `[3]` give `[1, 2, 3]`, `[1, 2]`
 * and `3` give `[1, 2, 3]`, `{ a }` and `{ b }` give `[{ a }, { b }]`.
 */
export function dynamicArgs(templateArgs: unknown, extra: unknown): unknown {
  if (extra === undefined) return templateArgs;
  if (templateArgs === undefined) return extra;
  const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
  return [...list(templateArgs), ...list(extra)];
}
