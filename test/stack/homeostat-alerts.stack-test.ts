import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../e2e/dashboard-harness.js';
import { exampleApiService, UpHarness } from '../e2e/loop-harness.js';
import { PrivatePrometheus } from './prometheus.js';

/**
 * The alerting rules docs/integrations.md gives for copy-paste ("## Alerting on homeostat"),
 * with their durations shortened for a test: every `for:` to 1 s and the 15-minute
 * stuck-incident age to 3 s. The expressions are the documented ones, unchanged.
 */
function documentedRules(): string {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/integrations.md', import.meta.url)), 'utf8');
  const section = doc.slice(doc.indexOf('## Alerting on homeostat'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'docs/integrations.md has the alerting rules under ## Alerting on homeostat');
  const rules = block.replace(/for: \d+m/g, 'for: 1s').replace(/> 900\b/g, '> 3');
  assert.notEqual(rules, block);
  return rules;
}

const firing = async (p: PrivatePrometheus, alert: string) => (await p.alerts()).filter((a) => a.labels.alertname === alert && a.state === 'firing');

test('a real Prometheus alerts on a stuck homeostat with the documented rules: an incident waiting for approval and its replica down fire, approving resolves both', async () => {
  const metricsPort = await freePort();
  const h = new UpHarness(`monitor: { metricsPort: ${metricsPort} }
services:
${exampleApiService()}
    restart: never
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart, scope: instance }]
    approval: { required: true, ttl: 120s, warnBefore: 0ms }
    verify: { healthyFor: 1s, timeout: 20s }
escalation: { retryEvery: 1h }
`);
  let prometheus: PrivatePrometheus | undefined;
  try {
    await h.up();
    await h.healthy('api');
    prometheus = await PrivatePrometheus.start(
      await freePort(),
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: homeostat
    static_configs: [{ targets: ["127.0.0.1:${metricsPort}"] }]
`,
      documentedRules(),
    );
    const p = prometheus;
    await p.waitUntil(async () => (await p.query('homeostat_element_healthy{job="homeostat",instance="127.0.0.1:' + metricsPort + '"}')).length > 0, 30_000, 'homeostat scraped');
    // Let the rules see a healthy homeostat for a few evaluations: nothing fires.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.deepEqual((await p.alerts()).map((a) => a.labels.alertname), [], 'a healthy system raises no alert');

    // The healer is stuck: the crash's restart waits for an approval nobody gives.
    await h.fault('api#0', 'crash');
    const waiting = await h.waitForIncident((i) => i.status === 'awaiting-approval', 20_000, 'the crash incident awaiting approval');
    await p.waitUntil(async () => (await firing(p, 'HomeostatHealingStuck')).some((a) => a.labels.state === 'awaiting-approval'), 30_000, 'HomeostatHealingStuck firing');
    await p.waitUntil(async () => (await firing(p, 'HomeostatElementUnhealthy')).some((a) => a.labels.replica === 'api#0' && a.labels.element === 'api'), 30_000, 'HomeostatElementUnhealthy firing for api#0');
    assert.deepEqual(await firing(p, 'HomeostatDown'), [], 'homeostat itself is up');
    assert.deepEqual(await firing(p, 'HomeostatNoLeader'), [], 'and leads');

    // Approved: the restart runs, the incident resolves, the alerts go away.
    const approved = await h.cli('approve', waiting.id, '--by', 'alice');
    assert.equal(approved.status, 0, approved.out);
    await h.waitForIncident((i) => i.id === waiting.id && i.status === 'resolved', 30_000, 'the crash incident resolved');
    await p.waitUntil(async () => (await p.alerts()).length === 0, 30_000, 'every alert resolved');

    // homeostat gone: the documented HomeostatDown fires.
    await h.down();
    await p.waitUntil(async () => (await firing(p, 'HomeostatDown')).length === 1, 30_000, 'HomeostatDown firing');
  } finally {
    await prometheus?.close();
    await h.close();
  }
});
