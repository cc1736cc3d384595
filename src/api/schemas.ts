/** JSON schemas shared by the routes (and the OpenAPI document). */

/** The body of every error answer: `{ error: { code, message } }` (codes in docs/errors.md). */
export const errorSchema = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: { error: { type: 'object', required: ['code', 'message'], additionalProperties: false, properties: { code: { type: 'string' }, message: { type: 'string' } } } },
} as const;

/** Responses every authenticated route can give: its own answers, and the error body for refusals and failures. */
export function responses(ok: Record<number, unknown>): Record<number, unknown> {
  return { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 413: errorSchema, 500: errorSchema, 503: errorSchema, ...ok };
}

/** A positive integer in a query string (query values stay strings: bodies are never coerced). */
export const positiveIntText = { type: 'string', pattern: '^[1-9][0-9]{0,6}$' } as const;
export const countText = { type: 'string', pattern: '^[0-9]{1,15}$' } as const;

export const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 300 } }, additionalProperties: false } as const;

export const reasonBody = {
  type: ['object', 'null'],
  properties: { reason: { type: 'string', maxLength: 2_000 } },
  additionalProperties: false,
} as const;

export function limitOf(text: string | undefined, fallback: number, max = 1_000): number {
  return Math.min(max, text === undefined ? fallback : Number(text));
}

/** An operator's note on an incident (`text`, checked again in bytes: at most 2 KiB of UTF-8). */
export const noteBody = {
  type: 'object',
  required: ['text'],
  properties: { text: { type: 'string', minLength: 1, maxLength: 2_048 } },
  additionalProperties: false,
} as const;

/** Why an operator closes an incident by hand: required, as for a note. */
export const closeBody = {
  type: 'object',
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 2_048 } },
  additionalProperties: false,
} as const;

/** A body that may be empty (`{}`, `null` or none): an action that needs no input. */
export const emptyBody = { type: ['object', 'null'], properties: {}, additionalProperties: false } as const;
