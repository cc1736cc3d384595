import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { UpHarness } from './loop-harness.js';

type Series = { name: string; labels: Record<string, string>; points: [number, number | string][] };

/** What a redis exporter speaking OpenMetrics might serve: NaN, ±Inf, exemplars, a stateset, an info, one broken line. */
function exposition(clients: number): string {
  return [
    '# HELP redis_connected_clients Clients connected.',
    '# TYPE redis_connected_clients gauge',
    `redis_connected_clients ${clients}`,
    '# TYPE redis_commands counter',
    'redis_commands_total{cmd="get"} 5021 # {trace_id="a1b2c3d4e5f60718"} 1.0 1733580000.5',
    '# TYPE redis_latency_seconds summary',
    'redis_latency_seconds{quantile="0.99"} NaN',
    'redis_latency_seconds_sum 0',
    'redis_latency_seconds_count 0',
    '# TYPE redis_max_memory_bytes gauge',
    'redis_max_memory_bytes +Inf',
    '# TYPE redis_role stateset',
    'redis_role{redis_role="master"} 1',
    'redis_role{redis_role="replica"} 0',
    '# TYPE redis_build info',
    'redis_build_info{version="7.2.4"} 1',
    'redis_keys{db="0" 12',
    '# EOF',
    '',
  ].join('\n');
}

test('homeostat up scrapes a static OpenMetrics target into its element: NaN/±Inf answered, a rule opens the incident on the element, a dead target is up 0 and logged', async () => {
  let clients = 3;
  const exporter = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
    res.end(exposition(clients));
  });
  await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
  const port = (exporter.address() as { port: number }).port;
  const h = new UpHarness(`monitor:
  scrape:
    - { url: "http://127.0.0.1:${port}/metrics", name: redis-exporter, element: redis, every: 200ms, labels: { team: cache } }
symptoms:
  redis-too-many-clients: { service: redis, metric: redis_connected_clients, above: 100 }
`);
  try {
    await h.up();
    const apiUrl = /API at (\S+) /.exec(await h.waitForLine(/API at (\S+) /))![1]!;
    const token = (await h.cli('token', 'create', '--role', 'viewer', '--name', 'e2e')).out.split('\n')[0]!;
    const seriesOf = async (): Promise<Series[]> => {
      const answer = await fetch(`${apiUrl}/api/services/redis/metrics`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(answer.status, 200, await answer.clone().text());
      return ((await answer.json()) as { series: Series[] }).series;
    };
    const last = (series: Series[], name: string, labels: Record<string, string> = {}) =>
      series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.points.at(-1)?.[1];

    // Until the first scrape, nobody has reported redis: 404.
    await h.waitFor(async () => (await fetch(`${apiUrl}/api/services/redis/metrics`, { headers: { authorization: `Bearer ${token}` } })).status === 200, 10_000, 'the first scrape');
    const series = await h.waitFor(async () => {
      const found = await seriesOf();
      return found.some((s) => s.name === 'redis_role') && found;
    }, 10_000, 'the exporter’s series under redis');
    assert.equal(last(series, 'redis_latency_seconds', { quantile: '0.99' }), 'NaN');
    assert.equal(last(series, 'redis_max_memory_bytes'), '+Inf');
    assert.equal(last(series, 'redis_commands_total', { cmd: 'get' }), 5021);
    assert.equal(last(series, 'redis_role', { redis_role: 'master' }), 1);
    assert.equal(last(series, 'redis_build_info', { version: '7.2.4' }), 1);
    assert.equal(last(series, 'up'), 1);
    assert.deepEqual(series.find((s) => s.name === 'redis_connected_clients')!.labels, { job: 'redis', instance: `127.0.0.1:${port}`, team: 'cache', service: 'redis' });
    assert.ok(!series.some((s) => s.name === 'redis_keys'), 'the broken line is left out, the rest stored');
    assert.match(await h.metrics(), /homeostat_scrape_skipped_lines_total\{target="redis-exporter"\} [1-9]/);

    clients = 250;
    const incident = await h.waitForIncident((i) => i.element === 'redis', 15_000, 'an incident on redis, not on the exporter');
    assert.equal(incident.symptom, 'redis-too-many-clients', JSON.stringify(incident));

    exporter.closeAllConnections();
    await new Promise<void>((resolve) => exporter.close(() => resolve()));
    await h.waitFor(async () => /homeostat_scrape_up\{target="redis-exporter"\} 0/.test(await h.metrics()), 10_000, 'scrape_up 0');
    assert.match(await h.metrics(), /homeostat_scrape_failures_total\{target="redis-exporter"\} [1-9]/);
    assert.equal(last(await seriesOf(), 'up'), 0);
    const log = await h.waitFor(() => readFileSync(join(h.dir, 'state', 'homeostat.log'), 'utf8').split('\n').find((l) => l.includes('"scrape failed"') && l.includes('redis-exporter')), 10_000, 'a logged failed scrape');
    const entry = JSON.parse(log) as { target: string; url: string; error: string };
    assert.equal(entry.url, `http://127.0.0.1:${port}/metrics`);
    assert.ok(entry.error.length > 0);
  } finally {
    await h.close();
    exporter.closeAllConnections();
    exporter.close();
  }
});
