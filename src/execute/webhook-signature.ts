import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a receiver knows an outgoing webhook is homeostat's: every request to a webhook with
 * a `secretEnv` carries the time it was signed and an HMAC-SHA256, keyed by the shared
 * secret, over `<timestamp>.<body>` — the same shape Stripe and Slack use, so receivers
 * know it. The timestamp is inside the MAC, so a captured request cannot be replayed with
 * a fresh time: the receiver refuses one signed more than {@link REPLAY_WINDOW_SECONDS}
 * ago. `v1=` names the scheme, so a second one can be added beside it later.
 * docs/integrations.md ("Outgoing webhooks") shows a receiver's check.
 */
export const TIMESTAMP_HEADER = 'homeostat-timestamp';
export const SIGNATURE_HEADER = 'homeostat-signature';
/** The same across the retries of one delivery: a receiver dedupes on it. */
export const DELIVERY_HEADER = 'homeostat-delivery';
/** The oldest signature a receiver should accept (5 min), and how far in the future. */
export const REPLAY_WINDOW_SECONDS = 300;

/**
 * The signature header's value for `body` (the exact bytes sent) signed at `timestamp` (unix seconds).
 * @example webhookSignature('s3cret-s3cret-s3cret', 1765100000, '{"a":1}') // 'v1=5b1c…' (64 hex digits)
 */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * The headers that sign one request: its timestamp (now) and signature.
 * @example signatureHeaders(secret, text) // { 'homeostat-timestamp': '1765100000', 'homeostat-signature': 'v1=…' }
 */
export function signatureHeaders(secret: string, body: string, nowMs = Date.now()): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1_000);
  return { [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, body) };
}

/**
 * A receiver's check, as docs/integrations.md describes it: the timestamp is a number
 * within the replay window of now, and the signature matches, compared in constant time.
 * @example verifyWebhookSignature({ secret, body, timestamp: req.headers['homeostat-timestamp'], signature: req.headers['homeostat-signature'] }) // true
 */
export function verifyWebhookSignature(check: { secret: string; body: string; timestamp: string | undefined; signature: string | undefined; nowMs?: number }): boolean {
  const { timestamp, signature } = check;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const age = Math.floor((check.nowMs ?? Date.now()) / 1_000) - Number(timestamp);
  if (Math.abs(age) > REPLAY_WINDOW_SECONDS) return false;
  const expected = Buffer.from(webhookSignature(check.secret, Number(timestamp), check.body));
  const presented = Buffer.from(signature);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
