import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertsSchema } from '../../config/schema/alerts.js';
import { labelsFingerprint, mapAlert, type AlertElements } from './alert-mapping.js';
import type { AlertmanagerAlert } from './alertmanager-payload.js';

const elements: AlertElements = {
  isService: (name) => name === 'web' || name === 'redis',
  replicas: (service) => (service === 'web' ? [{ instance: 'web#0', port: 8080 }, { instance: 'web#1', port: 8081 }] : [{ instance: 'redis#0' }]),
};
const alert = (labels: Record<string, string>, extra: Partial<AlertmanagerAlert> = {}): AlertmanagerAlert => ({ status: 'firing', labels, startsAt: '2026-12-07T15:00:00Z', fingerprint: 'f1', ...extra });

test('the service comes from `service`, then `job`; the symptom from `alertname`', () => {
  const config = alertsSchema.parse({});
  assert.deepEqual(mapAlert(alert({ alertname: 'HighErrors', service: 'web', job: 'redis' }), config, elements), {
    mapped: { fingerprint: 'f1', startsAt: '2026-12-07T15:00:00Z', status: 'firing', service: 'web', symptom: 'HighErrors' },
  });
  const byJob = mapAlert(alert({ alertname: 'Down', service: 'nginx', job: 'redis' }), config, elements);
  assert.equal('mapped' in byJob && byJob.mapped.service, 'redis', 'a `service` naming no service falls through to `job`');
});

test('`instance` names the replica by name or by host:port, and only when it is one', () => {
  const config = alertsSchema.parse({});
  const of = (instance: string) => {
    const m = mapAlert(alert({ alertname: 'Slow', job: 'web', instance }), config, elements);
    return 'mapped' in m ? m.mapped.instance : 'ignored';
  };
  assert.equal(of('127.0.0.1:8081'), 'web#1');
  assert.equal(of('web#0'), 'web#0');
  assert.equal(of('127.0.0.1:9999'), undefined, 'a port no replica listens on: the whole service');
  assert.equal(of('somehost'), undefined);
});

test('the static map names services by other values, and the labels tried are configurable', () => {
  const config = alertsSchema.parse({ services: { redis_exporter: 'redis' }, serviceLabels: ['app'], symptomLabel: 'name' });
  const m = mapAlert(alert({ name: 'RedisDown', app: 'redis_exporter', service: 'web' }), config, elements);
  assert.equal('mapped' in m && `${m.mapped.service}/${m.mapped.symptom}`, 'redis/RedisDown');
});

test('an alert naming no service, or without its symptom label, is ignored with why', () => {
  const config = alertsSchema.parse({});
  const none = mapAlert(alert({ alertname: 'DiskFull', job: 'node' }), config, elements);
  assert.ok('ignored' in none);
  assert.equal(none.ignored, 'no-service');
  assert.match(none.detail, /DiskFull: no label names a service \(service=null, job="node"/);
  const nameless = mapAlert(alert({ job: 'web' }), config, elements);
  assert.ok('ignored' in nameless && nameless.ignored === 'no-symptom-label');
});

test('without a fingerprint, one is computed from the labels, independent of their order', () => {
  const config = alertsSchema.parse({});
  const a = mapAlert(alert({ alertname: 'X', job: 'web' }, { fingerprint: undefined }), config, elements);
  assert.ok('mapped' in a);
  assert.equal(a.mapped.fingerprint, labelsFingerprint({ job: 'web', alertname: 'X' }));
  assert.notEqual(a.mapped.fingerprint, labelsFingerprint({ job: 'redis', alertname: 'X' }));
});
