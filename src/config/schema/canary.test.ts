import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../config-error.js';
import { parseConfig } from '../load-config.js';

function errorsOf(text: string): string[] {
  try {
    parseConfig(text, { file: '/tmp/x/homeostat.yaml', displayName: 'homeostat.yaml' });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message.split('\n').filter((line) => line.startsWith('homeostat.yaml'));
  }
  assert.fail('expected a config error');
}

test('a canary gets its defaults, shares as fractions', () => {
  const { config } = parseConfig(`services:\n  api:\n    command: node\n    replicas: 2\n    expose: { port: 8080 }\n    canary: { share: 5% }\n`, { file: '/srv/homeostat.yaml' });
  assert.deepEqual(config.services.api!.canary, { share: 0.05, duration: 10_000, maxErrorRate: 0.01, minRequests: 20 });
});

test('a canary without a front door, on one replica, or with a share out of range is refused at its line', () => {
  const errors = errorsOf(`services:
  api:
    command: node
    replicas: 2
    canary: {}
  web:
    command: node
    expose: { port: 8081 }
    canary: { duration: 5s }
  worker:
    command: node
    replicas: 2
    expose: { port: 8082 }
    canary:
      share: 150%
      maxErrorRate: lots
`);
  assert.deepEqual(errors, [
    'homeostat.yaml:5:13: services.api.canary: a canary needs a front door (`expose:`) to send it a share of the traffic and see its callers\' answers',
    'homeostat.yaml:9:13: services.web.canary: a canary needs at least 2 replicas (this service has 1): the others serve the rest while it is judged',
    'homeostat.yaml:15:14: services.worker.canary.share: expected a share of requests like "10%" (above 0 to 100%), got "150%"',
    'homeostat.yaml:16:21: services.worker.canary.maxErrorRate: expected an error rate like "10%" (0 to 100%), got "lots"',
  ]);
});
