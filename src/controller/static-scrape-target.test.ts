import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../config/config-error.js';
import { parseConfig } from '../config/load-config.js';
import { staticScrapeTarget } from './static-scrape-target.js';

function parse(yaml: string) {
  return parseConfig(yaml, { file: '/tmp/x/homeostat.yaml', displayName: 'homeostat.yaml' }).config;
}

function errorsOf(yaml: string): string {
  try {
    parse(yaml);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('expected a config error');
}

test('a url target gives its series job, instance, service and its labels; its name hides a password in the URL', () => {
  const config = parse(`monitor:
  scrape:
    - { url: "http://scraper:s3cret@127.0.0.1:9121/metrics", element: redis, every: 5s, labels: { team: cache }, elementFrom: app }
symptoms:
  redis-clients: { service: redis, metric: redis_connected_clients, above: 100 }
  cart-probe: { service: cart, metric: probe_success, above: 2 }
`);
  const target = staticScrapeTarget(config.monitor.scrape[0]!);
  assert.deepEqual(target.labels, { job: 'redis', instance: '127.0.0.1:9121', team: 'cache', service: 'redis' });
  assert.equal(target.name, 'http://127.0.0.1:9121/metrics');
  assert.ok(!target.source!.includes('s3cret'));
  assert.deepEqual(target.mapping, { honorLabels: false, elementFrom: 'app' });
  assert.equal(target.timeoutMs, 1_000);
  assert.equal(config.monitor.scrape[0]!.every, 5_000);
});

test('a scrape target is a service or a url with its element; a rule names a service or a url target’s element; each mistake names its line', () => {
  assert.match(errorsOf('monitor:\n  scrape:\n    - { url: "http://127.0.0.1:9121/metrics" }\n'), /homeostat\.yaml:3.*element.*names the `element`/s);
  assert.match(errorsOf('services:\n  api: { command: x }\nmonitor:\n  scrape:\n    - { service: api, url: "http://127.0.0.1:1/m", element: a }\n'), /exactly one of `service`/);
  assert.match(errorsOf('services:\n  api: { command: x }\nmonitor:\n  scrape:\n    - { service: api, element: api }\n'), /`element` is for `url` targets/);
  assert.match(errorsOf('monitor:\n  scrape:\n    - { url: "ftp://127.0.0.1/m", element: a }\n'), /url/);
  assert.match(
    errorsOf('monitor:\n  scrape:\n    - { url: "http://127.0.0.1:9121/metrics", element: redis }\nsymptoms:\n  x: { service: mysql, metric: m, above: 1 }\n'),
    /"mysql" is not a service in this file, nor the element of a monitor.scrape url target/,
  );
});
