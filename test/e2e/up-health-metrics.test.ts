import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleApiService, UpHarness } from './loop-harness.js';

/** The value of one series (`name{labels}` exactly as rendered) in a `/metrics` text, undefined when absent. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const STATES = ['open', 'remediating', 'awaiting-approval', 'escalated'];
const incidentsIn = (text: string) => STATES.reduce((sum, state) => sum + (valueOf(text, `homeostat_incidents{state="${state}"}`) ?? Number.NaN), 0);

test("up's own /metrics follow a rule firing and clearing with its incident, and a crashed replica down while its restart awaits approval and up again after it", async () => {
  const h = new UpHarness(`
services:
${exampleApiService()}
    restart: never
monitor:
  scrape: [{ service: api, every: 300ms }]
symptoms:
  api-leaking: { service: api, metric: api_leaked_bytes, above: 4000000 }
policies:
  leak:
    match: { symptom: [api-leaking] }
    ladder: [{ action: restart, scope: instance }]
    verify: { healthyFor: 3s, timeout: 30s }
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart, scope: instance }]
    approval: { required: true, ttl: 60s, warnBefore: 0ms }
    verify: { healthyFor: 1s, timeout: 20s }
escalation: { retryEvery: 1h }
`);
  const healthy = 'homeostat_element_healthy{element="api",replica="api#0"}';
  const firing = 'homeostat_rule_firing{element="api",rule="api-leaking"}';
  try {
    await h.up();
    await h.healthy('api');
    await h.waitFor(async () => valueOf(await h.metrics(), healthy) === 1, 10_000, 'api#0 healthy on /metrics');
    const before = await h.metrics();
    assert.equal(valueOf(before, firing), 0, 'a configured rule has its series before it ever fires');
    assert.equal(incidentsIn(before), 0);

    // A leak: the rule fires, the incident opens, the restart heals it, the rule clears, the incident resolves.
    await h.fault('api#0', 'leak?mb=1&every=100');
    await h.waitFor(async () => valueOf(await h.metrics(), firing) === 1, 20_000, 'api-leaking firing on /metrics');
    await h.waitFor(async () => incidentsIn(await h.metrics()) >= 1, 20_000, 'an unresolved incident on /metrics');
    const leak = await h.waitForIncident((i) => i.symptom === 'api-leaking' && i.status === 'resolved', 60_000, 'the leak incident resolved');
    assert.equal(leak.resolution, 'action');
    await h.waitFor(async () => valueOf(await h.metrics(), firing) === 0, 10_000, 'api-leaking cleared on /metrics');
    await h.waitFor(async () => incidentsIn(await h.metrics()) === 0, 10_000, 'no unresolved incident on /metrics');

    // A crash that is not restarted by itself: down on /metrics, its incident awaiting approval; approved, both recover.
    await h.healthy('api');
    await h.fault('api#0', 'crash');
    const waiting = await h.waitForIncident((i) => i.status === 'awaiting-approval', 20_000, 'the crash incident awaiting approval');
    await h.waitFor(
      async () => {
        const text = await h.metrics();
        return valueOf(text, healthy) === 0 && valueOf(text, 'homeostat_incidents{state="awaiting-approval"}') === 1;
      },
      10_000,
      'api#0 down and one incident awaiting approval on /metrics',
    );
    assert.ok((valueOf(await h.metrics(), 'homeostat_incident_oldest_age_seconds{state="awaiting-approval"}') ?? 0) > 0);
    const approved = await h.cli('approve', waiting.id, '--by', 'alice');
    assert.equal(approved.status, 0, approved.out);
    await h.waitForIncident((i) => i.id === waiting.id && i.status === 'resolved', 30_000, 'the crash incident resolved');
    await h.waitFor(
      async () => {
        const text = await h.metrics();
        return valueOf(text, healthy) === 1 && incidentsIn(text) === 0;
      },
      10_000,
      'api#0 healthy and no unresolved incident on /metrics',
    );
  } finally {
    await h.close();
  }
});
