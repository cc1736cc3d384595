import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../e2e/dashboard-harness.js';
import { UpHarness } from '../e2e/loop-harness.js';
import { PrivatePrometheus } from './prometheus.js';

/**
 * PromQL as the verdict of an action: a real Prometheus scrapes the api homeostat
 * supervises; a crash is repaired by the policy's restart, which is verified by two checks
 * against that Prometheus — an instant one and a range one over the window since the
 * restart. Then the crash recurs (the incident re-opens) and Prometheus is stopped while the
 * next action is being verified: the verdict recorded is unknown (not healthy), the
 * incident is not resolved, and the ladder stops and escalates instead of running on.
 */
test('a verify check in PromQL passes after the restart against a real Prometheus; with Prometheus stopped during verification the verdict is unknown and the incident stays unresolved', async () => {
  const apiPort = await freePort();
  const prometheusPort = await freePort();
  const h = new UpHarness(`
prometheus: { url: "http://127.0.0.1:${prometheusPort}", timeout: 1s }
services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    port: ${apiPort}
    cwd: $EXAMPLES
    restart: never
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 500ms, failureThreshold: 3 }
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart, scope: instance }, { action: stop-start }]
    verify:
      healthyFor: 3s
      timeout: 15s
      checks:
        - { name: no-leak, query: 'max(api_leaked_bytes{job="api"})', below: 1000000, every: 500ms }
        - { name: scraped-up, query: 'min(up{job="api"})', above: 0, range: 3s, step: 1s, every: 500ms }
escalation: { retryEvery: 1h }
`);
  let prometheus: PrivatePrometheus | undefined;
  try {
    prometheus = await PrivatePrometheus.start(prometheusPort, PrivatePrometheus.scrapingOne('api', `127.0.0.1:${apiPort}`));
    const p = prometheus;
    await h.up();
    await h.healthy('api');
    await p.waitUntil(async () => (await p.query('up{job="api"}'))[0]?.value[1] === '1', 30_000, 'the api scraped by Prometheus');

    await h.fault('api#0', 'crash');
    const healed = await h.waitForIncident((i) => i.symptom === 'process-crashed' && i.status === 'resolved', 40_000, 'the crash incident resolved');
    assert.equal(healed.resolution, 'action');
    const healedEntries = (await h.knowledge().incidents.explain(healed.id))!.entries;
    const passed = healedEntries.find((e) => e.kind === 'verification')!.data;
    assert.equal(passed.verdict, 'healthy');
    assert.deepEqual((passed.checked as string[]).filter((c) => c.startsWith('check ')), ['check no-leak: max(api_leaked_bytes{job="api"})', 'check scraped-up: min(up{job="api"}) over 3000 ms']);
    assert.deepEqual(healedEntries.filter((e) => e.kind === 'action').map((e) => e.data.action), ['restart api#0']);

    await h.fault('api#0', 'crash');
    const actionsOf = async () => (await h.knowledge().incidents.explain(healed.id))!.entries.filter((e) => e.kind === 'action');
    const actedBefore = (await actionsOf()).length;
    // The same crash again: the incident re-opens (a recurrence), and its next action is verified with Prometheus going away.
    // The process may exit before it answers: the request failing is the crash, not an error of the test.
    await h.fault('api#0', 'crash').catch(() => undefined);
    await h.waitFor(async () => (await actionsOf()).length > actedBefore, 20_000, 'the next action on the re-opened incident');
    await p.close();
    prometheus = undefined;

    const unknown = await h.waitForIncident((i) => i.id === healed.id && i.status === 'escalated', 30_000, 'the re-opened incident escalated');
    assert.equal(unknown.resolvedAt, null, 'not resolved');
    const entries = (await h.knowledge().incidents.explain(healed.id))!.entries;
    const verifications = entries.filter((e) => e.kind === 'verification').map((e) => e.data);
    const last = verifications.at(-1)!;
    assert.equal(last.verdict, 'unknown', JSON.stringify(verifications));
    assert.equal(last.ok, false);
    assert.match(String(last.detail), /^unknown: check (no-leak|scraped-up): cannot reach http:\/\/127\.0\.0\.1:\d+/);
    assert.equal((await actionsOf()).length, actedBefore + 1, `the ladder stopped at the unknown verdict: ${JSON.stringify(verifications)}`);
    const shown = (await h.cli('incident', 'show', healed.id)).out;
    assert.match(shown, /restart api#0: verdict UNKNOWN — unknown: check /);
    assert.ok((await h.knowledge().audit.list()).some((e) => e.action === 'verification.unknown' && e.subject === healed.id), 'the audit says it');
  } finally {
    await prometheus?.close();
    await h.close();
  }
});
