import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHomeostatError } from '../errors/homeostat-error.js';
import { ConfigError } from './config-error.js';
import { parseConfig } from './load-config.js';

function errorsOf(text: string): string[] {
  try {
    parseConfig(text, { file: '/tmp/x/homeostat.yaml', displayName: 'homeostat.yaml' });
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message.split('\n').filter((line) => line.startsWith('homeostat.yaml'));
  }
  assert.fail('expected a config error');
}

test('a valid config gets its defaults and durations in milliseconds', () => {
  const { config, stateDir } = parseConfig(
    `services:
  api:
    command: node
    args: [api.js, --port, "{{port}}"]
    port: 4100
    replicas: 2
    maxMemory: 200MB
    probes:
      liveness: { http: /healthz, period: 250ms, failureThreshold: 3 }
  db:
    url: http://127.0.0.1:5432
    probes:
      readiness: { tcp: true }
`,
    { file: '/srv/app/homeostat.yaml' },
  );
  assert.equal(stateDir, '/srv/app/.homeostat');
  const api = config.services.api!;
  assert.equal(api.restart, 'always');
  assert.equal(api.maxMemory, 200_000_000);
  assert.equal(api.probes.liveness?.period, 250);
  // The default timeout is 1s whatever the period (a 250 ms one restarted healthy processes under load).
  assert.equal(api.probes.liveness?.timeout, 1_000);
  assert.deepEqual(api.probes.liveness?.status, [[200, 399]]);
  assert.equal(api.restartBackoff.resetAfter, 10_000);
  assert.equal(config.services.db!.url, 'http://127.0.0.1:5432');
});

test('each error names file, line, column and field', () => {
  const errors = errorsOf(`services:
  api:
    command: node
    port: "eighty"
    probes:
      liveness:
        http: /healthz
        period: soon
    restart: sometimes
    extra: 1
`);
  assert.deepEqual(errors, [
    'homeostat.yaml:4:11: services.api.port: expected number, received string',
    'homeostat.yaml:8:17: services.api.probes.liveness.period: expected a duration like "500ms", got "soon"',
    'homeostat.yaml:9:14: services.api.restart: expected one of "always"|"on-failure"|"never"',
    'homeostat.yaml:10:5: services.api.extra: unknown field "extra"',
  ]);
});

test('missing fields and cross-references point at the closest node', () => {
  const errors = errorsOf(`services:
  api:
    args: [x]
    standby: ghost
  worker:
    command: node
    args: ["{{prot}}"]
    probes:
      liveness: { period: 1s }
`);
  assert.ok(errors.includes('homeostat.yaml:3:5: services.api: a service needs either command (supervised) or url (external, probed only), not both'), errors.join('\n'));
  assert.ok(errors.some((e) => e.startsWith('homeostat.yaml:7:12: services.worker.args[0]: unknown placeholder {{prot}}')), errors.join('\n'));
  assert.ok(errors.some((e) => e.startsWith('homeostat.yaml:9:17: services.worker.probes.liveness: a probe needs one of')), errors.join('\n'));
});

test('YAML syntax errors carry their line', () => {
  try {
    parseConfig('services:\n  api: [1\n  x: 2\n', { file: 'h.yaml' });
    assert.fail('expected an error');
  } catch (error) {
    assert.ok(isHomeostatError(error, 'HS_CONFIG_SYNTAX'));
    assert.match(error.message, /^h\.yaml:\d+:\d+: YAML: /);
  }
});

test('dependsOn: unknown services, self-references and cycles are errors at the entry; a valid graph loads', () => {
  const errors = errorsOf(`services:
  api:
    command: node
    dependsOn: [db, ghost]
  db:
    command: node
    dependsOn: [cache]
  cache:
    command: node
    dependsOn: [cache, api]
`);
  assert.deepEqual(errors, [
    'homeostat.yaml:4:21: services.api.dependsOn[1]: "ghost" is not a service in this file',
    'homeostat.yaml:10:17: services.cache.dependsOn[0]: a service cannot depend on itself',
    'homeostat.yaml:10:24: services.cache.dependsOn[1]: dependsOn cycle: api → db → cache → api',
  ]);
  const { config } = parseConfig('services:\n  api: { command: node, dependsOn: [db] }\n  db: { command: node }\n', { file: '/tmp/x/homeostat.yaml' });
  assert.deepEqual(config.services.api!.dependsOn, ['db']);
  assert.deepEqual(config.services.db!.dependsOn, []);
  assert.equal(config.correlation.window, 30_000);
});

/** A config whose policy `heal` has these `verify.checks` lines (from line 8 on). */
function withChecks(checks: string): string {
  return `services:
  api: { command: node }
policies:
  heal:
    ladder: [{ action: restart }]
    verify:
      checks:
${checks}`;
}

test('verify.checks: each bad PromQL check is an error at its line — no prometheus.url, no below/above, a negative range, a bad step, a name used twice', () => {
  const errors = errorsOf(withChecks(`        - { name: errors, query: 'sum(rate(errors_total[1m]))' }
        - name: up
          query: up
          above: 0
          range: -2m
        - { name: latency, query: 'x', below: 1, range: 1m, step: 2m }
        - { name: fine, query: 'x', below: 1, step: 10s }
        - { name: fine, query: 'x', below: 1, range: 1h, step: 0.1 }
`));
  assert.deepEqual(errors, [
    'homeostat.yaml:8:34: policies.heal.verify.checks[0].query: a verification check takes below or above (or both): what passing is',
    'homeostat.yaml:12:18: policies.heal.verify.checks[1].range: expected a duration like "500ms", got "-2m"',
    'homeostat.yaml:13:67: policies.heal.verify.checks[2].step: step (120000 ms) must not exceed range (60000 ms)',
    'homeostat.yaml:14:53: policies.heal.verify.checks[3].step: step is for range queries: set range too',
    'homeostat.yaml:15:64: policies.heal.verify.checks[4].step: range ÷ step is 36000000 points; Prometheus answers at most 11000',
  ]);
  const noPrometheus = errorsOf(withChecks(`        - { name: errors, query: 'sum(rate(errors_total[1m]))', below: 0.01, range: 2m }
        - { name: errors, query: 'up', above: 0 }
`));
  assert.deepEqual(noPrometheus, [
    'homeostat.yaml:8:9: policies.heal.verify.checks: PromQL verification checks need prometheus: { url } in this file',
    'homeostat.yaml:9:19: policies.heal.verify.checks[1].name: check "errors" is named twice',
  ]);
  const { config } = parseConfig(
    `prometheus: { url: "http://127.0.0.1:9090" }\n${withChecks("        - { name: errors, query: 'sum(rate(errors_total[1m]))', below: 0.01, range: 2m }\n")}`,
    { file: '/tmp/x/homeostat.yaml' },
  );
  assert.deepEqual(config.policies.heal!.verify.checks, [{ name: 'errors', query: 'sum(rate(errors_total[1m]))', below: 0.01, range: 120_000, noData: 'fail', every: 1_000 }], 'a valid check gets its defaults');
});
