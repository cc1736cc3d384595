/**
 * Secrets never reach the store: everything homeostat writes about an incident (audit
 * entries, explanation chains, evidence) goes through {@link redact} first.
 *
 * Two nets: a key whose name looks secret (`password`, `token`, `authorization`,
 * `api_key` …) has its whole value replaced, and text anywhere is scanned for values
 * that look secret on their own (bearer tokens, PEM blocks, `password=…` pairs, URL
 * credentials).
 */

export const REDACTED = '[REDACTED]';

const SECRET_KEY = /pass(word|wd|phrase)?|secret|token|authori[sz]ation|api[-_]?key|private[-_]?key|credential|cookie|session[-_]?id|^auth$/i;

const SECRET_VALUES: [RegExp, string | ((match: string, ...groups: string[]) => string)][] = [
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, REDACTED],
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, (_m, scheme: string) => `${scheme} ${REDACTED}`],
  [/\b([\w-]*?(?:pass(?:word|wd)?|secret|token|api[-_]?key|access[-_]?key)[\w-]*\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&,;"']+)/gi, (_m, prefix: string) => `${prefix}${REDACTED}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi, (_m, prefix: string) => `${prefix}${REDACTED}@`],
  // Well-known token shapes (GitHub, Slack, AWS access keys, JWTs).
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})\b/g, REDACTED],
];

/** True when a field of this name holds a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * Replace secret-looking substrings of free text.
 * @example redactText('curl -H "Authorization: Bearer abc.def.ghi123"') // 'curl -H "Authorization: Bearer [REDACTED]"'
 * @example redactText('nothing secret here') // unchanged
 */
export function redactText(text: string): string {
  let result = text;
  for (const [pattern, replacement] of SECRET_VALUES) {
    result = typeof replacement === 'string' ? result.replace(pattern, replacement) : result.replace(pattern, replacement as (m: string, ...g: string[]) => string);
  }
  return result;
}

/**
 * A deep copy of `value` with secrets replaced by `[REDACTED]`: values under secret
 * key names wholesale, secret-looking text anywhere. Cycles become `[Circular]`.
 * @example redact({ user: 'ada', password: 'hunter2' }) // { user: 'ada', password: '[REDACTED]' }
 * @example redact(['postgres://app:pw@db/x']) // ['postgres://app:[REDACTED]@db/x']
 */
export function redact<T>(value: T): T {
  return redactValue(value, new WeakSet()) as T;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = isSecretKey(key) && inner !== null && inner !== undefined && inner !== '' ? REDACTED : redactValue(inner, seen);
  }
  return copy;
}
