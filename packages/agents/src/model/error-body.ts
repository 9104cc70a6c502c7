/**
 * What a provider's error body says, read from any of the shapes in use:
 * OpenAI and compatible servers `{ error: { message, type, code, param } }`, Anthropic
 * `{ type: 'error', error: { type, message, details: { error_code } } }`, Azure's
 * `innererror`, bare `{ message }` / `{ detail }` bodies, a one-element array of those, and
 * plain text or HTML. The one place that reads error bodies, so every client and adapter agrees.
 */
export interface ErrorBody {
  /** `error.type` (`invalid_request_error`, `overloaded_error`, `insufficient_quota`, ...). */
  readonly type?: string;
  /** `error.code` (`context_length_exceeded`, `rate_limit_exceeded`, ...). */
  readonly code?: string;
  /** Anthropic's `error.details.error_code` or Azure's `innererror.code`. */
  readonly detailCode?: string;
  readonly message?: string;
}

/** How much of a non-JSON body is kept as the message (an HTML error page can be long). */
const MAX_TEXT_MESSAGE = 300;

type Bag = Record<string, unknown>;

function bag(value: unknown): Bag | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Bag)
    : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Parses a string body as JSON when it looks like JSON; otherwise keeps the text. */
function parsed(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return body;
    }
  }
  return body;
}

/** A page or a sentence, reduced to a readable line: tags dropped, space collapsed, cut short. */
function plainText(body: string): string | undefined {
  const flat = body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (flat.length === 0) return undefined;
  return flat.length > MAX_TEXT_MESSAGE ? `${flat.slice(0, MAX_TEXT_MESSAGE - 3)}...` : flat;
}

export function readErrorBody(body: unknown): ErrorBody {
  let value = parsed(body);
  if (Array.isArray(value)) value = value[0];
  if (typeof value === 'string') {
    const message = plainText(value);
    return message === undefined ? {} : { message };
  }
  const root = bag(value);
  if (root === undefined) return {};
  const error = bag(root.error);
  const source = error ?? root;
  const type = text(source.type);
  const code = text(source.code);
  const detailCode = text(bag(source.details)?.error_code) ?? text(bag(source.innererror)?.code);
  const message =
    text(source.message) ??
    (typeof root.error === 'string' ? root.error : undefined) ??
    text(root.message) ??
    text(root.detail);
  return {
    ...(type === undefined || type === 'error' ? {} : { type }),
    ...(code === undefined ? {} : { code }),
    ...(detailCode === undefined ? {} : { detailCode }),
    ...(message === undefined ? {} : { message }),
  };
}
