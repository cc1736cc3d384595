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

test('a front door gets its defaults: http on 127.0.0.1, least-requests, idempotent retries, 10 s drain', () => {
  const { config } = parseConfig(`services:\n  api:\n    command: node\n    replicas: 2\n    expose: { port: 8080 }\n`, { file: '/srv/homeostat.yaml' });
  assert.deepEqual(config.services.api!.expose, { port: 8080, host: '127.0.0.1', protocol: 'http', balance: 'least-requests', retry: true, retryBodyLimit: 65_536, drainTimeout: 10_000, readyTimeout: 30_000 });
});

test('a front door on a port a replica, another front door or homeostat itself listens on is refused at its line', () => {
  const errors = errorsOf(`monitor:
  metricsPort: 9400
services:
  api:
    command: node
    port: 8080
    replicas: 2
  web:
    command: node
    expose: { port: 8081 }
  admin:
    command: node
    expose:
      port: 8081
  metrics:
    command: node
    expose: { port: 9400 }
`);
  assert.deepEqual(errors, [
    'homeostat.yaml:10:21: services.web.expose.port: port 8081 is already the port of api#1',
    'homeostat.yaml:14:13: services.admin.expose.port: port 8081 is already the port of api#1',
    'homeostat.yaml:17:21: services.metrics.expose.port: port 9400 is already monitor.metricsPort',
  ]);
});

test('two front doors on one port clash; on different hosts they do not', () => {
  assert.deepEqual(errorsOf(`services:\n  a:\n    command: node\n    expose: { port: 7000 }\n  b:\n    command: node\n    expose: { port: 7000 }\n`), ['homeostat.yaml:7:21: services.b.expose.port: port 7000 is already the front door of a']);
  const { config } = parseConfig(`services:\n  a:\n    command: node\n    expose: { port: 7000, host: 127.0.0.1 }\n  b:\n    command: node\n    expose: { port: 7000, host: 127.0.0.2 }\n`, { file: '/srv/homeostat.yaml' });
  assert.equal(config.services.b!.expose!.host, '127.0.0.2');
});

test('a bad balance, protocol or an external service with a front door is refused with file:line', () => {
  const errors = errorsOf(`services:
  api:
    command: node
    expose: { port: 8080, balance: random, protocol: udp }
  db:
    url: http://127.0.0.1:5432
    expose: { port: 8081 }
`);
  assert.deepEqual(errors, [
    'homeostat.yaml:4:36: services.api.expose.balance: expected one of "round-robin"|"least-requests"',
    'homeostat.yaml:4:54: services.api.expose.protocol: expected one of "http"|"tcp"',
    'homeostat.yaml:7:13: services.db.expose: expose does not apply to an external (url) service',
  ]);
});
