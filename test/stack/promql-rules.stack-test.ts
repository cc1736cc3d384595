import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../e2e/dashboard-harness.js';
import { UpHarness } from '../e2e/loop-harness.js';
import { PrivatePrometheus } from './prometheus.js';

/**
 * PromQL as the verdict: a real Prometheus scrapes the example api (homeostat does not);
 * homeostat's rule asks that Prometheus, opens the incident, restarts the replica, and
 * verification passes only once the query answers clear. With Prometheus stopped, every
 * query is counted as failed on homeostat's /metrics, and the rule reads unknown.
 */
test('a PromQL rule against a real Prometheus fires on a leak, the restart heals it, the query clears it; Prometheus down is counted as failed queries', async () => {
  const apiPort = await freePort();
  const prometheusPort = await freePort();
  const h = new UpHarness(`
prometheus: { url: "http://127.0.0.1:${prometheusPort}", timeout: 2s }
services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    port: ${apiPort}
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 500ms, failureThreshold: 3 }
symptoms:
  api-leaking:
    service: api
    query: max by (job) (api_leaked_bytes{job="api"})
    every: 500ms
    above: 4000000
policies:
  leak:
    match: { symptom: [api-leaking] }
    ladder: [{ action: restart, scope: instance }]
    verify: { healthyFor: 2s, timeout: 30s }
`);
  let prometheus: PrivatePrometheus | undefined;
  try {
    prometheus = await PrivatePrometheus.start(prometheusPort, PrivatePrometheus.scrapingOne('api', `127.0.0.1:${apiPort}`));
    const p = prometheus;
    await h.up();
    await h.healthy('api');
    await p.waitUntil(async () => (await p.query('api_leaked_bytes{job="api"}'))[0]?.value[1] === '0', 30_000, 'the api scraped by Prometheus');
    await h.waitFor(async () => /homeostat_promql_queries_total\{outcome="ok",rule="api-leaking"\} [1-9]/.test(await h.metrics()), 10_000, 'PromQL queries answered');
    assert.equal((await h.incidents()).length, 0, 'a clear query raises nothing');

    await h.fault('api#0', 'leak?mb=1&every=100');
    const incident = await h.waitForIncident((i) => i.symptom === 'api-leaking' && i.status === 'resolved', 50_000, 'the leak incident resolved');
    assert.equal(incident.resolution, 'action');
    const explained = (await h.knowledge().incidents.explain(incident.id))!;
    const signal = explained.entries.find((e) => e.kind === 'signal')!.data;
    assert.match(String(signal.message), /^PromQL max by \(job\) \(api_leaked_bytes\{job="api"\}\) is \d+ for \{"job":"api"\}, above 4000000$/);
    assert.deepEqual(explained.entries.filter((e) => e.kind === 'action').map((e) => e.data.action), ['restart api'], 'the symptom is on the service (a PromQL series names no replica of it)');
    assert.equal((await p.query('api_leaked_bytes{job="api"}'))[0]?.value[1], '0', 'Prometheus sees the restarted replica clear');

    await p.close();
    prometheus = undefined;
    await h.waitFor(async () => /homeostat_promql_queries_total\{outcome="failed",rule="api-leaking"\} [1-9]/.test(await h.metrics()), 10_000, 'failed queries counted with Prometheus down');
    await h.waitFor(
      () => {
        try {
          const lines = readFileSync(join(h.dir, 'state', 'homeostat.log'), 'utf8').split('\n');
          return lines.some((line) => line.includes('PromQL rule api-leaking: query failed') && line.includes('cannot reach'));
        } catch {
          return false;
        }
      },
      10_000,
      'the failed query logged with its reason',
    );
  } finally {
    await prometheus?.close();
    await h.close();
  }
});
