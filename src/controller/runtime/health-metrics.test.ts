import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsRegistry } from '../../telemetry/metrics.js';
import type { ElementStatus } from '../../supervisor/supervisor.js';
import { healthMetrics } from './health-metrics.js';

function replica(element: string, instance: string, state: ElementStatus['state'], health: string, kind: ElementStatus['kind'] = 'process'): ElementStatus {
  return { element, instance, kind, state, health, role: 'active', replicas: 1, replica: 0, pid: null, port: null, restarts: 0, startedAt: null, lastExit: null, nextRestartAt: null, rssBytes: null, cpuPercent: null, probes: {} };
}

test('the gauges follow the supervisor, the metric watch and the store, with every configured rule and unresolved state present', async () => {
  const registry = new MetricsRegistry();
  let status = [replica('api', 'api#0', 'running', 'healthy'), replica('api', 'api#1', 'running', 'unprobed'), replica('db', 'db#0', 'backoff', '-'), replica('pay', 'pay', 'running', 'unhealthy', 'external')];
  let firing = [{ rule: 'slow', element: 'api' }];
  let incidents = [
    { status: 'remediating' as const, openedAt: 1_000 },
    { status: 'remediating' as const, openedAt: 5_000 },
    { status: 'escalated' as const, openedAt: 8_000 },
  ];
  const health = healthMetrics(registry, {
    status: () => status,
    rules: () => [
      { rule: 'slow', element: 'api' },
      { rule: 'errors', element: 'db' },
    ],
    firing: () => firing,
    unresolved: async () => incidents,
    now: () => 11_000,
    everyMs: 60_000,
  });
  await health.refresh();
  const text = registry.render();
  for (const line of [
    'homeostat_element_healthy{element="api",replica="api#0"} 1',
    'homeostat_element_healthy{element="api",replica="api#1"} 1',
    'homeostat_element_healthy{element="db",replica="db#0"} 0',
    'homeostat_element_healthy{element="pay",replica="pay"} 0',
    'homeostat_rule_firing{element="api",rule="slow"} 1',
    'homeostat_rule_firing{element="db",rule="errors"} 0',
    'homeostat_incidents{state="open"} 0',
    'homeostat_incidents{state="remediating"} 2',
    'homeostat_incidents{state="awaiting-approval"} 0',
    'homeostat_incidents{state="escalated"} 1',
    'homeostat_incident_oldest_age_seconds{state="remediating"} 10',
    'homeostat_incident_oldest_age_seconds{state="open"} 0',
  ]) {
    assert.ok(text.split('\n').includes(line), `${line} in\n${text}`);
  }
  assert.match(text, /# TYPE homeostat_incidents gauge/);
  status = [replica('db', 'db#0', 'running', 'healthy')];
  firing = [];
  incidents = [];
  await health.refresh();
  const after = registry.render();
  assert.ok(after.includes('homeostat_element_healthy{element="db",replica="db#0"} 1'));
  assert.ok(!after.split('\n').some((line) => line.startsWith('homeostat_element_healthy{element="api"')), 'a replica scaled away is not reported');
  assert.ok(after.includes('homeostat_rule_firing{element="api",rule="slow"} 0'));
  assert.ok(after.includes('homeostat_incidents{state="remediating"} 0'));
  health.stop();
});

test('a failed store read is reported and keeps the last counts rather than reading as no incidents', async () => {
  const registry = new MetricsRegistry();
  const errors: unknown[] = [];
  let fail = false;
  const health = healthMetrics(registry, {
    status: () => [],
    rules: () => [],
    firing: () => [],
    unresolved: async () => {
      if (fail) throw new Error('database is locked');
      return [{ status: 'open', openedAt: 0 }];
    },
    onError: (error) => errors.push(error),
    everyMs: 60_000,
  });
  await health.refresh();
  fail = true;
  await health.refresh();
  assert.equal(errors.length, 1);
  assert.ok(registry.render().includes('homeostat_incidents{state="open"} 1'));
  health.stop();
});
