import type { z } from 'zod';

/** What checking an answer against the call's output contract found. */
export type ContractCheck<T> =
  | { ok: true; value: T }
  /** `truncated`: the JSON is unterminated (cut off); `invalid-output`: not JSON, or not the schema's shape. */
  | { ok: false; kind: 'truncated' | 'invalid-output'; errors: string[] };

/**
 * Check a model's text against a zod schema: the JSON in it (a ```json fence is allowed,
 * models add one), then the schema. JSON that stops mid-way — an open string, object or
 * array at the end — is `truncated`, its own kind: the answer was cut, not wrong.
 *
 * @example checkOutput('{"summary":"ok"}', z.object({ summary: z.string() })) // { ok: true, value: { summary: 'ok' } }
 * @example checkOutput('{"summary":"o', schema) // { ok: false, kind: 'truncated', … }
 */
export function checkOutput<T>(text: string, schema: z.ZodType<T>): ContractCheck<T> {
  const json = stripFence(text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    if (isUnterminated(json)) return { ok: false, kind: 'truncated', errors: ['the JSON answer is unterminated (cut off)'] };
    return { ok: false, kind: 'invalid-output', errors: [`not JSON: ${(error as Error).message}`] };
  }
  const result = schema.safeParse(parsed);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    kind: 'invalid-output',
    errors: result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`),
  };
}

function stripFence(text: string): string {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n?([\s\S]*?)(?:\n?```)?$/.exec(trimmed);
  return fenced ? fenced[1]!.trim() : trimmed;
}

/** True when the text opens a JSON value it never closes: brackets or a string still open at its end. */
function isUnterminated(text: string): boolean {
  if (!/^[[{"]/.test(text)) return false;
  const open: string[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') open.push(c);
    else if (c === '}' || c === ']') {
      if (open.length === 0) return false;
      open.pop();
    }
  }
  return inString || open.length > 0;
}
