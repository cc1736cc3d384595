/**
 * POST /api/alerts/alertmanager through the real API: who may post, what a malformed,
 * oversized or replayed notification gets, and that nothing but a new firing episode
 * becomes a symptom.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertReception } from '../../src/api/alerts/alert-intake.js';
import type { Symptom } from '../../src/analyze/symptom.js';
import { alertsSchema } from '../../src/config/schema/alerts.js';
import { ApiHarness } from './api-harness.js';
import { alertmanagerNotification } from './alertmanager-notification.js';

const SECRET = 'shared-secret-for-alertmanager-0123';
const URL = '/api/alerts/alertmanager';

async function open(options: { bodyLimit?: string } = {}) {
  const seen: Symptom[] = [];
  const alerts = alertReception(
    {
      config: alertsSchema.parse({ secretEnv: 'TEST_ALERT_SECRET', ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}) }),
      elements: { isService: (name) => name === 'web', replicas: () => [{ instance: 'web#0', port: 8080 }] },
      observe: (symptom) => seen.push(symptom),
    },
    { TEST_ALERT_SECRET: SECRET },
  );
  return { h: await ApiHarness.open({ alerts }), seen, alerts };
}

function notification(status: 'firing' | 'resolved', fingerprint = 'c0ffee') {
  return alertmanagerNotification(
    status,
    { labels: { alertname: 'HighErrors', job: 'web', instance: '127.0.0.1:8080' }, summary: 'error ratio above 5%', fingerprint, endsAt: '2026-12-07T15:05:00.000Z' },
    { externalURL: 'http://127.0.0.1:9093', commonLabels: { alertname: 'HighErrors', job: 'web' } },
  );
}

test('a firing alert posted with the shared secret or an operator token is one symptom; its replay is a 202 that changes nothing', async () => {
  const { h, seen, alerts } = await open();
  try {
    const first = await h.call({ authorization: `Bearer ${SECRET}` }, 'POST', URL, notification('firing'));
    assert.equal(first.status, 202, first.text);
    assert.deepEqual(first.json, { fired: 1, resolved: 0, duplicates: 0, ignored: [] });
    const replay = await h.call('operator', 'POST', URL, notification('firing'));
    assert.equal(replay.status, 202, replay.text);
    assert.deepEqual(replay.json, { fired: 0, resolved: 0, duplicates: 1, ignored: [] });
    assert.equal(seen.length, 1, 'one symptom for two deliveries');
    assert.equal(seen[0]!.instance, 'web#0');
    assert.equal(seen[0]!.signal.postedBy, 'alerts:shared-secret', 'the symptom says who raised it');
    assert.equal(alerts.isFiring('web', 'HighErrors'), true);

    const resolved = await h.call({ authorization: `Bearer ${SECRET}` }, 'POST', URL, notification('resolved'));
    assert.deepEqual(resolved.json, { fired: 0, resolved: 1, duplicates: 0, ignored: [] });
    assert.equal(alerts.isFiring('web', 'HighErrors'), false);
    const lateFiring = await h.call('admin', 'POST', URL, notification('firing'));
    assert.deepEqual(lateFiring.json, { fired: 0, resolved: 0, duplicates: 1, ignored: [] }, 'a late firing redelivery does not bring a resolved episode back');
    assert.equal(seen.length, 1);
  } finally {
    await h.close();
  }
});

test('without the right credential: 401 (none, wrong secret, revoked token), 403 for a viewer; nothing observed', async () => {
  const { h, seen } = await open();
  try {
    const none = await h.call('none', 'POST', URL, notification('firing'));
    assert.equal(none.status, 401);
    assert.equal(none.json.error.code, 'HS_API_UNAUTHORIZED');
    const wrong = await h.call({ authorization: `Bearer ${SECRET}x` }, 'POST', URL, notification('firing'));
    assert.equal(wrong.status, 401);
    const basic = await h.call({ authorization: `Basic ${Buffer.from(`x:${SECRET}`).toString('base64')}` }, 'POST', URL, notification('firing'));
    assert.equal(basic.status, 401, 'the secret counts only as a bearer credential');
    assert.equal((await h.call({ authorization: `Bearer ${h.revoked}` }, 'POST', URL, notification('firing'))).status, 401);
    const viewer = await h.call('viewer', 'POST', URL, notification('firing'));
    assert.equal(viewer.status, 403);
    assert.equal(viewer.json.error.code, 'HS_API_FORBIDDEN');
    assert.equal(seen.length, 0);
  } finally {
    await h.close();
  }
});

test('malformed notifications get 400 naming the problem, and nothing is observed', async () => {
  const { h, seen } = await open();
  try {
    const firing = notification('firing');
    const bad: [string, unknown][] = [
      ['not JSON', '{"version": "4", '],
      ['wrong version', { ...firing, version: '3' }],
      ['no alerts', { ...firing, alerts: undefined }],
      ['a status that is neither', { ...firing, status: 'pending' }],
      ['a label that is not text', { ...firing, alerts: [{ ...firing.alerts[0], labels: { alertname: 1 } }] }],
      ['an alert without startsAt', { ...firing, alerts: [{ ...firing.alerts[0], startsAt: undefined }] }],
    ];
    for (const [what, body] of bad) {
      const answer = await h.call('operator', 'POST', URL, typeof body === 'string' ? body : JSON.parse(JSON.stringify(body)), typeof body === 'string' ? { 'content-type': 'application/json' } : {});
      assert.equal(answer.status, 400, `${what}: ${answer.text}`);
      assert.equal(answer.json.error.code, 'HS_API_INVALID_REQUEST', what);
    }
    assert.equal(seen.length, 0);
  } finally {
    await h.close();
  }
});

test('a body over alerts.bodyLimit gets 413 and nothing is observed', async () => {
  const { h, seen } = await open({ bodyLimit: '2KiB' });
  try {
    const big = notification('firing');
    big.alerts[0]!.annotations = { summary: 'x'.repeat(4_000) };
    const answer = await h.call('operator', 'POST', URL, big);
    assert.equal(answer.status, 413, answer.text);
    assert.equal(answer.json.error.code, 'HS_API_BODY_TOO_LARGE');
    assert.equal(seen.length, 0);
  } finally {
    await h.close();
  }
});

test('an alert that names no element: 202 with what was ignored and why', async () => {
  const { h, seen } = await open();
  try {
    const firing = notification('firing');
    const answer = await h.call('operator', 'POST', URL, { ...firing, alerts: [{ ...firing.alerts[0], labels: { alertname: 'DiskFull', job: 'node' }, fingerprint: 'd15c' }] });
    assert.equal(answer.status, 202, answer.text);
    assert.equal(answer.json.fired, 0);
    assert.deepEqual(answer.json.ignored.map((a: { fingerprint: string; reason: string }) => [a.fingerprint, a.reason]), [['d15c', 'no-service']]);
    assert.equal(seen.length, 0);
  } finally {
    await h.close();
  }
});

test('an API without an alert receiver answers 503, and a follower forwards or names the leader', async () => {
  const plain = await ApiHarness.open();
  try {
    const answer = await plain.call('operator', 'POST', URL, notification('firing'));
    assert.equal(answer.status, 503);
    assert.equal(answer.json.error.code, 'HS_API_NOT_SERVED');
  } finally {
    await plain.close();
  }
  const seen: Symptom[] = [];
  const alerts = alertReception({ config: alertsSchema.parse({}), elements: { isService: () => true, replicas: () => [] }, observe: (s) => seen.push(s) }, {});
  const follower = await ApiHarness.open({ alerts, leadership: { isLeader: () => false, leader: async () => undefined } });
  try {
    const answer = await follower.call('operator', 'POST', URL, notification('firing'));
    assert.equal(answer.status, 503, answer.text);
    assert.equal(answer.json.error.code, 'HS_API_NOT_LEADER');
    assert.equal(seen.length, 0, 'a follower keeps no alert');
  } finally {
    await follower.close();
  }
});

test('the generic webhook: the same mapping, credential and de-duplication in its own shape; unknown fields are a 400', async () => {
  const { h, seen, alerts } = await open();
  const WEBHOOK = '/api/alerts/webhook';
  try {
    const firing = { status: 'firing', name: 'QueueStuck', service: 'web', instance: '127.0.0.1:8080', startsAt: '2026-12-07T15:00:00Z', id: 'grafana-17', labels: { team: 'core' }, summary: 'queue not draining' };
    const first = await h.call({ authorization: `Bearer ${SECRET}` }, 'POST', WEBHOOK, { alerts: [firing] });
    assert.equal(first.status, 202, first.text);
    assert.deepEqual(first.json, { fired: 1, resolved: 0, duplicates: 0, ignored: [] });
    assert.deepEqual((await h.call('operator', 'POST', WEBHOOK, { alerts: [firing] })).json, { fired: 0, resolved: 0, duplicates: 1, ignored: [] });
    assert.equal(seen.length, 1);
    assert.deepEqual([seen[0]!.name, seen[0]!.element, seen[0]!.instance, seen[0]!.labels.source, seen[0]!.labels.team, seen[0]!.signal.message], ['QueueStuck', 'web', 'web#0', 'webhook', 'core', 'queue not draining']);
    assert.equal(alerts.isFiring('web', 'QueueStuck'), true);
    assert.deepEqual((await h.call('operator', 'POST', WEBHOOK, { alerts: [{ ...firing, status: 'resolved' }] })).json, { fired: 0, resolved: 1, duplicates: 0, ignored: [] });
    assert.equal(alerts.isFiring('web', 'QueueStuck'), false);

    const unknown = await h.call('operator', 'POST', WEBHOOK, { alerts: [{ ...firing, severity: 'high' }] });
    assert.equal(unknown.status, 400, 'a misspelt or unknown field is refused, not ignored');
    assert.equal((await h.call('operator', 'POST', WEBHOOK, { alerts: [{ ...firing, startsAt: undefined }] })).status, 400);
    assert.equal((await h.call('none', 'POST', WEBHOOK, { alerts: [firing] })).status, 401);
    assert.equal((await h.call('viewer', 'POST', WEBHOOK, { alerts: [firing] })).status, 403);
    const nowhere = await h.call('operator', 'POST', WEBHOOK, { alerts: [{ ...firing, service: 'nginx', id: 'x' }] });
    assert.deepEqual(nowhere.json.ignored.map((a: { reason: string }) => a.reason), ['no-service']);
    assert.equal(seen.length, 1);

    // Posted with a token, the symptom names the token.
    assert.deepEqual((await h.call('operator', 'POST', WEBHOOK, { alerts: [{ ...firing, id: 'grafana-18', startsAt: '2026-12-07T16:00:00Z' }] })).json, { fired: 1, resolved: 0, duplicates: 0, ignored: [] });
    assert.equal(seen.length, 2);
    assert.match(String(seen[1]!.signal.postedBy), /^api:/);
  } finally {
    await h.close();
  }
});
