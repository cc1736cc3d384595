import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:net';
import { deliverWebhook, retryAfterMs, type DeliveryPolicy } from '../../../src/execute/webhook-delivery.js';
import { verifyWebhookSignature } from '../../../src/execute/webhook-signature.js';
import { webhookReceiver, type ReceivedWebhook } from './webhook-receiver.js';

const SECRET = 'a-long-shared-secret-for-tests';
/** Fast retries: the waits are not what these tests are about (the Retry-After test sets its own). */
const FAST: DeliveryPolicy = { attempts: 4, backoffMs: 5, maxRetryAfterMs: 5_000 };

/**
 * The receiver's check exactly as docs/integrations.md ("Outgoing webhooks") writes it for
 * receivers, kept here so the documented logic is tested against real requests.
 */
function documentedVerify(secret: string, headers: Record<string, string | string[] | undefined>, rawBody: string, now = Date.now()): boolean {
  const timestamp = String(headers['homeostat-timestamp'] ?? '');
  const signature = String(headers['homeostat-signature'] ?? '');
  if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > 300) return false;
  const expected = 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const verifies = (secret: string, request: ReceivedWebhook, nowMs?: number) =>
  verifyWebhookSignature({ secret, body: request.body, timestamp: request.headers['homeostat-timestamp'] as string | undefined, signature: request.headers['homeostat-signature'] as string | undefined, ...(nowMs !== undefined ? { nowMs } : {}) });

test('a signed delivery verifies with the documented check and the shared secret, and not with another secret', async () => {
  const hooks = await webhookReceiver();
  try {
    const result = await deliverWebhook({ url: hooks.url, body: { incident: 'inc-1', text: 'ünïcode ✅' }, timeoutMs: 2_000, secret: SECRET }, FAST);
    assert.deepEqual({ ok: result.ok, attempts: result.attempts, status: result.status }, { ok: true, attempts: 1, status: 200 });
    const [request] = hooks.received;
    assert.ok(request);
    assert.deepEqual(JSON.parse(request.body), { incident: 'inc-1', text: 'ünïcode ✅' });
    assert.equal(request.headers['homeostat-delivery'], result.deliveryId);
    assert.match(String(request.headers['homeostat-signature']), /^v1=[0-9a-f]{64}$/);
    assert.equal(documentedVerify(SECRET, request.headers, request.body), true);
    assert.equal(verifies(SECRET, request), true);
    assert.equal(documentedVerify('another-secret-of-enough-length', request.headers, request.body), false);
    assert.equal(verifies('another-secret-of-enough-length', request), false);
    // A body changed in transit, or the request replayed past the window, fails too.
    assert.equal(documentedVerify(SECRET, request.headers, request.body.replace('inc-1', 'inc-2')), false);
    const replayedAt = Number(request.headers['homeostat-timestamp']) * 1000 + 301_000;
    assert.equal(documentedVerify(SECRET, request.headers, request.body, replayedAt), false);
    assert.equal(verifies(SECRET, request, replayedAt), false);
  } finally {
    await hooks.close();
  }
});

test('without a secret the request carries a delivery id and no signature', async () => {
  const hooks = await webhookReceiver();
  try {
    const result = await deliverWebhook({ url: hooks.url, body: { a: 1 }, timeoutMs: 2_000 }, FAST);
    assert.equal(result.ok, true);
    assert.equal(hooks.received[0]!.headers['homeostat-delivery'], result.deliveryId);
    assert.equal(hooks.received[0]!.headers['homeostat-signature'], undefined);
  } finally {
    await hooks.close();
  }
});

test('a receiver that answers 503 twice then 200 gets exactly 3 requests, one delivery id, each signed anew', async () => {
  const hooks = await webhookReceiver([503, 503]);
  try {
    const result = await deliverWebhook({ url: hooks.url, body: { n: 1 }, timeoutMs: 2_000, secret: SECRET }, FAST);
    assert.deepEqual({ ok: result.ok, attempts: result.attempts, requests: hooks.received.length }, { ok: true, attempts: 3, requests: 3 });
    assert.deepEqual(new Set(hooks.received.map((r) => r.headers['homeostat-delivery'])), new Set([result.deliveryId]));
    assert.ok(hooks.received.every((r) => verifies(SECRET, r)));
    assert.match(result.detail, /→ HTTP 200 \(3 attempts\)$/);
  } finally {
    await hooks.close();
  }
});

test('a 400 is not retried; 408 and 429 are', async () => {
  const refused = await webhookReceiver([400]);
  const slow = await webhookReceiver([408, 429]);
  try {
    const result = await deliverWebhook({ url: refused.url, body: {}, timeoutMs: 2_000 }, FAST);
    assert.deepEqual({ ok: result.ok, attempts: result.attempts, status: result.status, requests: refused.received.length }, { ok: false, attempts: 1, status: 400, requests: 1 });
    const retried = await deliverWebhook({ url: slow.url, body: {}, timeoutMs: 2_000 }, FAST);
    assert.deepEqual({ ok: retried.ok, attempts: retried.attempts, requests: slow.received.length }, { ok: true, attempts: 3, requests: 3 });
  } finally {
    await refused.close();
    await slow.close();
  }
});

test('a redirect is not followed: the signed body goes only to the configured URL', async () => {
  const elsewhere = await webhookReceiver();
  const redirecting = await webhookReceiver([{ status: 307, headers: { location: elsewhere.url } }]);
  try {
    const result = await deliverWebhook({ url: redirecting.url, body: {}, timeoutMs: 2_000, secret: SECRET }, FAST);
    assert.deepEqual({ ok: result.ok, status: result.status, attempts: result.attempts }, { ok: false, status: 307, attempts: 1 });
    assert.equal(elsewhere.received.length, 0);
  } finally {
    await redirecting.close();
    await elsewhere.close();
  }
});

test('a Retry-After is waited before the next attempt, even when the backoff is shorter', async () => {
  const hooks = await webhookReceiver([{ status: 429, headers: { 'retry-after': '1' } }]);
  try {
    const result = await deliverWebhook({ url: hooks.url, body: {}, timeoutMs: 2_000 }, { attempts: 2, backoffMs: 1, maxRetryAfterMs: 5_000 });
    assert.equal(result.ok, true);
    assert.equal(hooks.received.length, 2);
    const waited = hooks.received[1]!.at - hooks.received[0]!.at;
    assert.ok(waited >= 950, `waited ${waited} ms for a Retry-After of 1 s`);
  } finally {
    await hooks.close();
  }
  assert.equal(retryAfterMs('120'), 120_000);
  assert.equal(retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 1)).toUTCString(), Date.UTC(2030, 0, 1, 0, 0)), 60_000);
  assert.equal(retryAfterMs('soon'), undefined);
});

test('a target that stays down is tried the bounded number of times and reported with its last error', async () => {
  const port = await closedPort();
  const result = await deliverWebhook({ url: `http://127.0.0.1:${port}/hook?token=abc123secret`, body: {}, timeoutMs: 1_000 }, { ...FAST, attempts: 3 });
  assert.deepEqual({ ok: result.ok, attempts: result.attempts, status: result.status }, { ok: false, attempts: 3, status: undefined });
  assert.match(result.detail, /failed: fetch failed \(3 attempts\)$/);
  assert.doesNotMatch(result.detail, /abc123secret/, 'the URL is redacted');
});

test('an abort (the stop of up) ends the delivery during its backoff, reported as aborted', async () => {
  const hooks = await webhookReceiver([], 503);
  const stop = new AbortController();
  try {
    const delivering = deliverWebhook({ url: hooks.url, body: {}, timeoutMs: 2_000, signal: stop.signal }, { attempts: 10, backoffMs: 60_000, maxRetryAfterMs: 60_000 });
    while (hooks.received.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    const result = await delivering;
    assert.deepEqual({ ok: result.ok, aborted: result.aborted, attempts: result.attempts }, { ok: false, aborted: true, attempts: 1 });
  } finally {
    await hooks.close();
  }
});

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
