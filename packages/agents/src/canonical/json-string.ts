/** What JSON escapes in a string: quote, backslash, control characters, and any surrogate. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it looks for.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(text)`, without the call when the text has nothing to escape (names, ids,
 * keys: nearly every string a tool call's arguments hold). A surrogate, paired or not, goes to
 * `JSON.stringify`, which writes a pair as it is and escapes a lone one.
 */
export function jsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}
