/**
 * Alertmanager's webhook into a real `homeostat up`: a firing alert opens an incident on
 * the service its labels name, a redelivery adds no symptom, the incident stays open while
 * the alert fires, and once the resolved notice arrives the next slow retry resolves it
 * externally, with no action credited.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleApiService, UpHarness } from './loop-harness.js';
import { alertmanagerNotification } from './alertmanager-notification.js';

const SECRET = 'e2e-alertmanager-shared-secret-9f3a';

function notification(status: 'firing' | 'resolved') {
  return alertmanagerNotification(
    status,
    { labels: { alertname: 'ApiErrorsHigh', job: 'api-exporter', severity: 'page' }, summary: 'api answers 5xx', fingerprint: '5e1f0c4a2b7d9e31', endsAt: '2026-12-07T15:01:00.000Z' },
    { externalURL: 'http://127.0.0.1:1', commonLabels: { alertname: 'ApiErrorsHigh', job: 'api-exporter' } },
  );
}

/** The api service, whose exporter's alerts (`job: api-exporter`) are its symptoms, with the shared secret from the environment. */
const SYSTEM = `services:
${exampleApiService()}
alerts:
  secretEnv: HOMEOSTAT_E2E_ALERT_SECRET
  services: { api-exporter: api }
escalation: { retryEvery: 1s }
`;

/** Post a notification to a running up's receiver, as Alertmanager does with `credentials`. */
function postAlerts(apiUrl: string, body: unknown, secret: string): Promise<Response> {
  return fetch(`${apiUrl}/api/alerts/alertmanager`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

test('a firing alert opens an incident; replayed it is one symptom; resolved, the incident resolves externally at the next check', async () => {
  const h = new UpHarness(SYSTEM);
  process.env.HOMEOSTAT_E2E_ALERT_SECRET = SECRET;
  try {
    await h.up();
    const apiUrl = /API at (\S+) /.exec(await h.waitForLine(/API at (\S+) /))![1]!;
    await h.healthy('api');
    const post = (body: unknown, secret = SECRET) => postAlerts(apiUrl, body, secret);

    assert.equal((await post(notification('firing'), 'not-the-secret')).status, 401);
    const fired = await post(notification('firing'));
    assert.equal(fired.status, 202);
    assert.deepEqual(await fired.json(), { fired: 1, resolved: 0, duplicates: 0, ignored: [] });
    const incident = await h.waitForIncident((i) => i.symptom === 'ApiErrorsHigh' && i.status === 'escalated', 20_000, 'an incident opened by the alert, escalated (no policy)');
    assert.equal(incident.element, 'api');

    // Alertmanager redelivers (repeat_interval, a retry): one symptom still.
    const again = await post(notification('firing'));
    assert.deepEqual(await again.json(), { fired: 0, resolved: 0, duplicates: 1, ignored: [] });
    // Slow retries (every 1 s) check its health while it fires: the api process is healthy, the alert is not.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal((await h.incidents()).find((i) => i.id === incident.id)!.status, 'escalated', 'not resolved while the alert fires');

    const resolvedPost = await post(notification('resolved'));
    assert.deepEqual(await resolvedPost.json(), { fired: 0, resolved: 1, duplicates: 0, ignored: [] });
    const resolved = await h.waitForIncident((i) => i.id === incident.id && i.status === 'resolved', 20_000, 'resolved at the next slow retry after the alert resolved');
    assert.equal(resolved.resolution, 'external');
    assert.equal(resolved.resolvedBy, null);
    assert.match(resolved.summary, /^resolved externally: every symptom cleared \(ApiErrorsHigh on api\) and api healthy/);
    const entries = (await h.knowledge().incidents.explain(incident.id))!.entries;
    assert.equal(entries.filter((e) => e.kind === 'symptom').length, 1, 'one symptom for two deliveries of the firing alert');
    assert.equal(entries.filter((e) => e.kind === 'action').length, 0, 'no action taken');
    assert.match(await h.metrics(), /homeostat_alerts_received_total\{outcome="duplicate"\} 1/);
  } finally {
    delete process.env.HOMEOSTAT_E2E_ALERT_SECRET;
    await h.close();
  }
});

test('after a restart of up, an open incident\'s alert symptom still counts as firing until the resolved notice comes', async () => {
  const h = new UpHarness(SYSTEM);
  process.env.HOMEOSTAT_E2E_ALERT_SECRET = SECRET;
  try {
    await h.up();
    const post = (apiUrl: string, body: unknown) => postAlerts(apiUrl, body, SECRET);
    const firstUrl = /API at (\S+) /.exec(await h.waitForLine(/API at (\S+) /))![1]!;
    await h.healthy('api');
    assert.equal((await post(firstUrl, notification('firing'))).status, 202);
    const incident = await h.waitForIncident((i) => i.symptom === 'ApiErrorsHigh' && i.status === 'escalated', 20_000, 'the incident the alert opened');

    await h.down();
    const from = h.lines.length;
    await h.up();
    const secondUrl = /API at (\S+) /.exec(await h.waitForLine(/API at (\S+) /, 15_000, from))![1]!;
    // Several slow retries (1 s) of the restarted loop: the alert was not heard again, and is assumed to fire still.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal((await h.incidents()).find((i) => i.id === incident.id)!.status, 'escalated', 'not taken for cleared because the new process has not heard the alert yet');

    assert.deepEqual(await (await post(secondUrl, notification('resolved'))).json(), { fired: 0, resolved: 1, duplicates: 0, ignored: [] });
    const resolved = await h.waitForIncident((i) => i.id === incident.id && i.status === 'resolved', 20_000, 'resolved after the resolved notice');
    assert.equal(resolved.resolution, 'external');
  } finally {
    delete process.env.HOMEOSTAT_E2E_ALERT_SECRET;
    await h.close();
  }
});
