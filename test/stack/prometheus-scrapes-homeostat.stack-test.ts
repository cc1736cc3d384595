import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../e2e/dashboard-harness.js';
import { UpHarness } from '../e2e/loop-harness.js';
import { PrivatePrometheus } from './prometheus.js';

/**
 * homeostat's own /metrics is what a real Prometheus can scrape: a private Prometheus
 * (Debian's) scrapes a real `homeostat up` and answers PromQL over its series, so an SRE
 * can alert on the healer itself.
 */
test("a real Prometheus scrapes homeostat up's /metrics: the target is up and homeostat's series answer PromQL", async () => {
  const metricsPort = await freePort();
  const h = new UpHarness(`monitor: { metricsPort: ${metricsPort} }
services:
  app: { command: $NODE, args: ["-e", "setInterval(() => {}, 1000)"] }
`);
  let prometheus: PrivatePrometheus | undefined;
  try {
    await h.up();
    prometheus = await PrivatePrometheus.start(
      await freePort(),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: homeostat
    static_configs: [{ targets: ["127.0.0.1:${metricsPort}"] }]
`,
    );
    const p = prometheus;
    await p.waitUntil(async () => (await p.query('up{job="homeostat"}'))[0]?.value[1] === '1', 30_000, 'the homeostat target up');
    const leader = await p.query('homeostat_leader{job="homeostat"}');
    assert.equal(leader.length, 1, 'one leader gauge');
    assert.equal(leader[0]!.value[1], '1', 'the only up leads');
    const names = await (await fetch(`${p.url}/api/v1/label/__name__/values`)).json() as { data: string[] };
    assert.ok(names.data.filter((name) => name.startsWith('homeostat_')).length >= 5, `homeostat's series in Prometheus: ${names.data.join(', ')}`);
  } finally {
    await prometheus?.close();
    await h.close();
  }
});
