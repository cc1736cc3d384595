import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { parseConfig } from '../../../src/config/load-config.js';
import { MetricWatch } from '../../../src/controller/metric-watch.js';
import type { Symptom } from '../../../src/analyze/symptom.js';

/** A blackbox-like exporter: one probe series per app it watches, in OpenMetrics. */
async function probeExporter(body: () => string) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0' });
    res.end(body());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('elementFrom: one exporter’s series belong to the element their label names, and a rule on that element fires there', async () => {
  let cartSeconds = 0.2;
  const exporter = await probeExporter(
    () => `# TYPE probe_duration_seconds gauge
probe_duration_seconds{app="cart",instance="cart-1:8080"} ${cartSeconds}
probe_duration_seconds{app="search",instance="search-1:8080"} 0.1
probe_duration_seconds{instance="unlabelled:1"} 0.3
# EOF
`,
  );
  try {
    const { config } = parseConfig(
      `monitor:
  scrape:
    - { url: "${exporter.url}", element: blackbox, elementFrom: app, instanceFrom: app }
symptoms:
  cart-slow: { service: cart, metric: probe_duration_seconds, above: 1 }
`,
      { file: '/tmp/x/homeostat.yaml' },
    );
    const observed: Symptom[] = [];
    const watch = new MetricWatch({ config, endpoints: () => [], observe: (s) => observed.push(s) });
    const target = config.monitor.scrape[0]!;
    await watch.scrapeStatic(target);
    const elementOf = (instanceLabel: string) => watch.series.select({ exported_instance: instanceLabel }, 10)[0]?.labels.service;
    assert.equal(elementOf('cart-1:8080'), 'cart');
    assert.equal(elementOf('search-1:8080'), 'search');
    assert.equal(elementOf('unlabelled:1'), 'blackbox', 'a series without the label stays with the target’s element');
    assert.equal(watch.series.select({ service: 'blackbox' }, 10).find((id) => id.name === 'up')!.labels.job, 'blackbox');
    assert.deepEqual(observed, []);

    cartSeconds = 2.5;
    await watch.scrapeStatic(target);
    const fired = observed as Symptom[];
    assert.equal(fired.length, 1);
    assert.equal(fired[0]!.element, 'cart');
    assert.equal(fired[0]!.instance, 'cart');
    assert.equal(fired[0]!.name, 'cart-slow');
    watch.stop();
  } finally {
    await exporter.close();
  }
});

test('a dead static target reads up 0 on its element, and a rule over its series sees nothing new', async () => {
  const exporter = await probeExporter(() => 'redis_connected_clients 3\n');
  const { config } = parseConfig(`monitor:\n  scrape:\n    - { url: "${exporter.url}", element: redis, timeout: 500ms }\n`, { file: '/tmp/x/homeostat.yaml' });
  const results: { ok: boolean; error?: string }[] = [];
  const watch = new MetricWatch({ config, endpoints: () => [], observe: () => undefined, onScrape: (r) => results.push(r) });
  const up = () => {
    const id = watch.series.select({ service: 'redis' }, 10).find((s) => s.name === 'up')!;
    return watch.series.latest(id.key)!.value;
  };
  await watch.scrapeStatic(config.monitor.scrape[0]!);
  assert.equal(up(), 1);
  await exporter.close();
  await watch.scrapeStatic(config.monitor.scrape[0]!);
  assert.equal(up(), 0);
  assert.equal(results.at(-1)!.ok, false);
  assert.match(results.at(-1)!.error ?? '', /fetch failed|ECONNREFUSED/);
  watch.stop();
});

test('a scrape asks for OpenMetrics, and reads a timestamp as seconds or ms by the Content-Type of the answer', async () => {
  const at = Date.now() - 2_000;
  let accept = '';
  let openMetrics = true;
  const server = createServer((req, res) => {
    accept = req.headers.accept ?? '';
    if (openMetrics) {
      res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
      res.end(`jobs_waiting 7 ${(at / 1_000).toFixed(3)}\n# EOF\n`);
    } else {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`jobs_waiting 9 ${at + 1_000}\n`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
    const { config } = parseConfig(`monitor:\n  scrape:\n    - { url: "${url}", element: queue }\n`, { file: '/tmp/x/homeostat.yaml' });
    const watch = new MetricWatch({ config, endpoints: () => [], observe: () => undefined });
    await watch.scrapeStatic(config.monitor.scrape[0]!);
    assert.match(accept, /^application\/openmetrics-text/);
    const id = watch.series.select({ service: 'queue' }, 10).find((s) => s.name === 'jobs_waiting')!;
    assert.deepEqual(watch.series.latest(id.key), { at, value: 7 });
    openMetrics = false;
    await watch.scrapeStatic(config.monitor.scrape[0]!);
    assert.deepEqual(watch.series.latest(id.key), { at: at + 1_000, value: 9 });
    watch.stop();
  } finally {
    server.close();
  }
});
