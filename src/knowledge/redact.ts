/**
 * Secrets never reach a viewer: everything homeostat writes about an incident (audit
 * entries, explanation chains, evidence) goes through {@link redact} first, and every
 * API answer, live event and CLI view is redacted again on the way out (runs keep their
 * real input for the workflow, so they are redacted only when shown).
 *
 * Two nets: a key whose name looks secret (`password`, `token`, `STRIPE_KEY`,
 * `routingKey`, `dsn`, `authorization` …) has its whole value replaced, and text anywhere
 * is scanned for values that look secret on their own (bearer tokens, PEM blocks,
 * `password=…` pairs, URL credentials and secret query parameters, Slack and Discord
 * webhook paths, Stripe, OpenAI, GitHub, Slack, AWS and Google keys, JWTs).
 */

export const REDACTED = '[REDACTED]';

/** A word anywhere in the key's name makes it secret (`db_password`, `client_secret`, `SENTRY_DSN`). */
const SECRET_WORDS = new Set(['pass', 'password', 'passwd', 'passphrase', 'pwd', 'secret', 'secrets', 'credential', 'credentials', 'cookie', 'cookies', 'authorization', 'dsn', 'apikey', 'webhook', 'webhookurl', 'privatekey']);
/** These are secret as the last word only: `GITHUB_TOKEN`, `routingKey`, `X-Api-Key`, `signature` — not `tokenId`, `keyPrefix`. */
const SECRET_LAST_WORDS = new Set(['token', 'key', 'sig', 'signature']);
/** A bare `key` (a map key, a series key) or `token`-less names are not secret by name; these exact names are. */
const SECRET_NAMES = new Set(['auth', 'token', 'sessionid', 'session_id', 'set-cookie']);

// Not secret by name though they end in "key": a key naming other data, not a credential.
const NOT_SECRET_NAMES = new Set(['key', 'dedup_key', 'dedupkey', 'idempotencykey', 'idempotency_key', 'sortkey', 'groupkey', 'cachekey', 'partitionkey']);

/** True when a field of this name holds a secret. */
export function isSecretKey(key: string): boolean {
  const lower = key.toLowerCase();
  if (NOT_SECRET_NAMES.has(lower)) return false;
  if (SECRET_NAMES.has(lower)) return true;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  if (words.length === 0) return false;
  if (words.some((word) => SECRET_WORDS.has(word))) return true;
  return SECRET_LAST_WORDS.has(words[words.length - 1]!);
}

// A value already redacted stays as it is (so redacting twice changes nothing, and a
// quoted "[REDACTED]" in YAML keeps its quotes and stays a string).
const NOT_REDACTED_YET = String.raw`(?!"\[REDACTED\]"|'\[REDACTED\]'|\[REDACTED\])`;

// `name: value` needs the space YAML and headers have (`token:tok_1` is an audit subject, a token's id), on the same line
// (`webhooks:` followed by a list is not a value).
const SECRET_VALUES: [RegExp, string | ((match: string, ...groups: string[]) => string)][] = [
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g, REDACTED],
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, (_m, scheme: string) => `${scheme} ${REDACTED}`],
  [
    new RegExp(String.raw`\b([\w-]*?(?:pass(?:word|wd|phrase)?|secret|token|api[-_]?key|access[-_]?key|routing[-_]?key|[-_]key|dsn|webhook)[\w-]*(?:[ \t]*=[ \t]*|[ \t]*:[ \t]+))${NOT_REDACTED_YET}("[^"]*"|'[^']*'|[^\s&,;"']+)`, 'gi'),
    (_m, prefix: string) => `${prefix}${REDACTED}`,
  ],
  // URL credentials: `scheme://user:password@` keeps the user; a lone userinfo (`https://<key>@sentry.io`, a token as user) goes whole.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)([^\s@/]+)@/gi, (_m, prefix: string) => `${prefix}${REDACTED}@`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/)(?!\[REDACTED\])([^\s:/@?#]+)@/gi, (_m, scheme: string) => `${scheme}${REDACTED}@`],
  // Secret query parameters: `?token=…`, `&sig=…`, `?key=…`, `X-Amz-Signature=…`, `?code=…` (OAuth).
  [/([?&;](?:[\w.-]*token|[\w.-]*key|[\w.-]*secret|sig|signature|x-amz-signature|x-amz-credential|password|auth|code)=)(?!\[REDACTED\])[^&\s#"'<>]+/gi, (_m, prefix: string) => `${prefix}${REDACTED}`],
  // Webhook URLs whose path is the secret.
  [/(\bhttps?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/)(?!\[REDACTED\])[^\s"'<>]+/gi, (_m, prefix: string) => `${prefix}${REDACTED}`],
  [/(\bhttps?:\/\/(?:\w+\.)?discord(?:app)?\.com\/api\/webhooks\/)(?!\[REDACTED\])[^\s"'<>]+/gi, (_m, prefix: string) => `${prefix}${REDACTED}`],
  // Well-known token shapes: Stripe, OpenAI/Anthropic, GitHub, Slack, AWS, Google, JWTs.
  [
    /\b([rs]k_(?:live|test)_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9]{8,}|sk-(?:proj-|ant-[a-z0-9]*-?)?[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|xapp-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})/g,
    REDACTED,
  ],
];

/**
 * Replace secret-looking substrings of free text.
 * @example redactText('curl -H "Authorization: Bearer abc.def.ghi123"') // 'curl -H "Authorization: Bearer [REDACTED]"'
 * @example redactText('POST https://hooks.slack.com/services/T0/B0/XyZ') // 'POST https://hooks.slack.com/services/[REDACTED]'
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

/**
 * Redact a JSON text (a run's input, a step's output as stored): parsed, redacted,
 * written again; text that is not JSON is redacted as text.
 * @example redactJsonText('{"url":"https://x.test/?token=abc"}') // '{"url":"https://x.test/?token=[REDACTED]"}'
 */
export function redactJsonText<T extends string | null | undefined>(text: T): T {
  if (typeof text !== 'string') return text;
  try {
    return JSON.stringify(redact(JSON.parse(text) as unknown)) as T;
  } catch {
    return redactText(text) as T;
  }
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) {
    // Every API answer goes through here: series points (arrays of numbers) hold no secret and need no copy.
    if (value.every((item) => typeof item === 'number')) return value;
    return value.map((item) => redactValue(item, seen));
  }
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = isSecretKey(key) && inner !== null && inner !== undefined && inner !== '' ? REDACTED : redactValue(inner, seen);
  }
  return copy;
}
