import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Symptom } from '../../analyze/symptom.js';
import { alertsSchema } from '../../config/schema/alerts.js';
import { alertReception } from './alert-intake.js';
import { AlertReceiver } from './alert-receiver.js';
import type { AlertmanagerPayload } from './alertmanager-payload.js';

const elements = { isService: (name: string) => name === 'web', replicas: () => [{ instance: 'web#0', port: 8080 }] };

function payload(status: 'firing' | 'resolved', alerts: { fingerprint: string; labels: Record<string, string> }[]): AlertmanagerPayload {
  return {
    version: '4',
    groupKey: '{}:{alertname="HighErrors"}',
    status,
    receiver: 'homeostat',
    alerts: alerts.map((a) => ({ status, labels: a.labels, annotations: { summary: 'errors above 5%' }, startsAt: '2026-12-07T15:00:00Z', fingerprint: a.fingerprint, generatorURL: 'http://prom/graph' })),
  };
}

test('a firing alert becomes one symptom of its element, with its labels for policies; a redelivery none', () => {
  const seen: Symptom[] = [];
  const receiver = new AlertReceiver({ config: alertsSchema.parse({}), elements, observe: (s) => seen.push(s), now: () => 42 });
  const post = payload('firing', [{ fingerprint: 'f1', labels: { alertname: 'HighErrors', job: 'web', instance: '127.0.0.1:8080', severity: 'page', node: 'n9' } }]);
  assert.deepEqual(receiver.receive(post, 'api:alertmanager-token'), { fired: 1, resolved: 0, duplicates: 0, ignored: [] });
  assert.deepEqual(receiver.receive(post, 'api:alertmanager-token'), { fired: 0, resolved: 0, duplicates: 1, ignored: [] });
  assert.equal(seen.length, 1);
  const [symptom] = seen;
  assert.equal(symptom!.name, 'HighErrors');
  assert.equal(symptom!.element, 'web');
  assert.equal(symptom!.instance, 'web#0');
  assert.equal(symptom!.at, 42);
  assert.deepEqual(symptom!.labels, { source: 'alertmanager', alertname: 'HighErrors', job: 'web', instance: '127.0.0.1:8080', severity: 'page' }, 'the alert cannot name the node that acts');
  assert.equal(symptom!.signal.message, 'errors above 5%');
  assert.equal(symptom!.signal.fingerprint, 'f1');
  assert.equal(symptom!.signal.postedBy, 'api:alertmanager-token', 'who posted it, for the explanation');
  assert.equal(receiver.isFiring('web', 'HighErrors'), true);
  assert.deepEqual(receiver.receive(payload('resolved', [{ fingerprint: 'f1', labels: { alertname: 'HighErrors', job: 'web' } }]), 'api:alertmanager-token'), { fired: 0, resolved: 1, duplicates: 0, ignored: [] });
  assert.equal(receiver.isFiring('web', 'HighErrors'), false);
});

test('alerts of one group that map to nothing are ignored with why, the others still taken', () => {
  const ignored: string[] = [];
  const seen: Symptom[] = [];
  const receiver = new AlertReceiver({ config: alertsSchema.parse({}), elements, observe: (s) => seen.push(s), onIgnored: (a) => ignored.push(a.reason) });
  const answer = receiver.receive(payload('firing', [
    { fingerprint: 'f1', labels: { alertname: 'DiskFull', job: 'node' } },
    { fingerprint: 'f2', labels: { alertname: 'HighErrors', service: 'web' } },
  ]), 'alerts:shared-secret');
  assert.equal(answer.fired, 1);
  assert.deepEqual(answer.ignored.map((a) => [a.fingerprint, a.reason]), [['f1', 'no-service']]);
  assert.deepEqual(ignored, ['no-service']);
  assert.deepEqual(seen.map((s) => s.name), ['HighErrors']);
});

test('the shared secret comes from the environment variable, compared whole; a missing or short one refuses to start', () => {
  const config = alertsSchema.parse({ secretEnv: 'ALERT_SECRET' });
  const base = { config, elements, observe: () => undefined };
  const reception = alertReception(base, { ALERT_SECRET: 'a-long-enough-secret-value' });
  assert.equal(reception.secretMatches('a-long-enough-secret-value'), true);
  assert.equal(reception.secretMatches('a-long-enough-secret-valu'), false);
  assert.equal(reception.secretMatches(''), false);
  assert.throws(() => alertReception(base, {}), /HS_CONFIG_ALERT_SECRET_MISSING|ALERT_SECRET, which is not set/);
  assert.throws(() => alertReception(base, { ALERT_SECRET: 'short' }), /shorter than 16/);
  assert.equal(alertReception({ ...base, config: alertsSchema.parse({}) }, {}).secretMatches('anything at all, long'), false, 'no secret configured: tokens only');
});
