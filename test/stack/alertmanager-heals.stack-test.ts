import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../e2e/dashboard-harness.js';
import { UpHarness, webhookReceiver } from '../e2e/loop-harness.js';
import { ancestry, otlpReceiver } from '../e2e/otlp-receiver.js';
import { PrivateAlertmanager } from './alertmanager.js';
import { PrivatePrometheus } from './prometheus.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const SECRET = 'stack-test-alertmanager-secret-4e7b1c';

/**
 * The whole chain with the real thing: homeostat supervises `app`, a real Prometheus scrapes
 * it and evaluates a real alerting rule, a real Alertmanager posts to homeostat's receiver
 * with the shared secret; the incident opens from the alert, the on-call is paged
 * (PagerDuty-style, at a local listener) while the policy's command fixes the app,
 * verification passes by a PromQL check against the same Prometheus and waits until the
 * alert has resolved, the incident closes, credited to the action, the page is resolved
 * under the same dedup key — and the remediation's trace reaches an OTLP/HTTP endpoint as
 * one trace.
 */
test('real Prometheus + Alertmanager: a firing alert opens an incident, the remediation fixes it, the resolved alert lets verification pass', async () => {
  const [appPort, apiPort, prometheusPort, alertmanagerPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const pager = await webhookReceiver();
  const collector = await otlpReceiver();
  const h = new UpHarness('');
  const brokenFile = join(h.dir, 'broken');
  writeFileSync(
    h.configPath,
    `stateDir: state
api: { port: ${apiPort} }
services:
  app:
    command: ${process.execPath}
    args: [flag-exporter.js, --port, "{{port}}", --broken-file, "${brokenFile}"]
    cwd: ${FIXTURES}
    port: ${appPort}
    probes:
      liveness: { http: /healthz, period: 500ms, timeout: 1s, failureThreshold: 3 }
alerts:
  secretEnv: HOMEOSTAT_STACK_ALERT_SECRET
policies:
  app-broken:
    match: { symptom: [AppBroken] }
    ladder: [{ action: escalate }, { action: command, run: "rm -f ${brokenFile}", timeout: 5s }]
    # Verified by what users see, as Prometheus has it: the app reports itself fine.
    verify:
      healthyFor: 1s
      timeout: 40s
      checks: [{ name: app-not-broken, query: max(app_broken), below: 0.5 }]
prometheus: { url: "http://127.0.0.1:${prometheusPort}", timeout: 2s }
escalation:
  retryEvery: 1h
  webhooks: [{ url: "${pager.url}/v2/enqueue", format: pagerduty, routingKey: STACK }]
`,
  );
  process.env.HOMEOSTAT_STACK_ALERT_SECRET = SECRET;
  let prometheus: PrivatePrometheus | undefined;
  let alertmanager: PrivateAlertmanager | undefined;
  try {
    await h.up({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' });
    await h.healthy('app');
    alertmanager = await PrivateAlertmanager.start(
      alertmanagerPort,
      `route:
  receiver: homeostat
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1m
receivers:
  - name: homeostat
    webhook_configs:
      - url: http://127.0.0.1:${apiPort}/api/alerts/alertmanager
        send_resolved: true
        http_config:
          authorization: { type: Bearer, credentials_file: "{{dir}}/secret" }
`,
      SECRET,
    );
    prometheus = await PrivatePrometheus.start(
      prometheusPort,
      `global: { scrape_interval: 1s, evaluation_interval: 1s }
alerting:
  alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:${alertmanagerPort}"] }] }]
scrape_configs:
  - job_name: app
    static_configs: [{ targets: ["127.0.0.1:${appPort}"] }]
`,
      `groups:
  - name: app
    rules:
      - alert: AppBroken
        expr: app_broken == 1
        labels: { severity: page }
        annotations: { summary: app reports itself broken }
`,
    );
    const p = prometheus;
    await p.waitUntil(async () => (await p.query('app_broken'))[0]?.value[1] === '0', 20_000, 'app scraped, not broken');
    assert.deepEqual(await h.incidents(), [], 'no incident while the app is fine');

    // The app breaks: Prometheus fires AppBroken, Alertmanager posts it to homeostat.
    writeFileSync(brokenFile, 'broken\n');
    const opened = await h.waitForIncident((i) => i.symptom === 'AppBroken', 30_000, 'an incident opened by the AppBroken alert');
    assert.equal(opened.element, 'app');
    const resolved = await h.waitForIncident((i) => i.id === opened.id && i.status === 'resolved', 45_000, 'the incident resolved once the alert resolved');
    assert.equal(resolved.resolution, 'action');
    assert.match(resolved.resolvedBy ?? '', /^command/);

    const entries = (await h.knowledge().incidents.explain(opened.id))!.entries;
    const symptoms = entries.filter((e) => e.kind === 'symptom');
    assert.equal(symptoms.length, 1, `one symptom for the alert: ${JSON.stringify(symptoms.map((e) => e.data))}`);
    assert.equal(symptoms[0]!.data.instance, 'app#0', 'the alert\'s instance (127.0.0.1:<port>) is the replica');
    assert.equal((symptoms[0]!.data.labels as Record<string, string>).severity, 'page');

    // One page while it was repaired, one resolve once it was: both under the incident's id.
    await h.waitFor(() => pager.received.some((p) => p.body.event_action === 'resolve'), 20_000, 'the PagerDuty resolve');
    const events = pager.received.map((p) => [p.path, p.body.event_action, p.body.dedup_key, p.body.routing_key]);
    assert.deepEqual(events, [
      ['/v2/enqueue', 'trigger', opened.id, 'STACK'],
      ['/v2/enqueue', 'resolve', opened.id, 'STACK'],
    ]);
    const verified = entries.find((e) => e.kind === 'verification' && e.data.ok === true);
    assert.ok(verified, 'a verification passed');
    assert.match(String(verified.data.detail), /healthy for 1000 ms/);
    assert.equal(verified.data.verdict, 'healthy');

    // The remediation as one trace: the loop's remediation → … → the command → its verification.
    const remediation = await h.waitFor(() => collector.spans.find((s) => s.name === 'homeostat.remediation' && s.attributes['homeostat.incident.id'] === opened.id), 10_000, 'the remediation span');
    assert.equal(remediation.attributes['homeostat.incident.symptom'], 'AppBroken');
    const rooted = (name: string) => collector.spans.find((s) => s.name === name && s.traceId === remediation.traceId && ancestry(collector.spans, s).at(-1)!.spanId === remediation.spanId);
    const action = await h.waitFor(() => rooted('homeostat.action'), 10_000, 'the command action span in the remediation\'s trace');
    assert.deepEqual([action.attributes['homeostat.action.kind'], action.attributes['homeostat.action.outcome']], ['command', 'ok']);
    const verification = await h.waitFor(() => rooted('homeostat.verification'), 10_000, 'the verification span in the remediation\'s trace');
    assert.equal(verification.attributes['homeostat.verification.ok'], true);
    const metrics = await h.metrics();
    assert.match(metrics, /homeostat_alerts_received_total\{outcome="fired"\} 1/);
    assert.match(metrics, /homeostat_alerts_received_total\{outcome="resolved"\} 1/);
  } finally {
    delete process.env.HOMEOSTAT_STACK_ALERT_SECRET;
    await prometheus?.close();
    await alertmanager?.close();
    await h.close();
    await pager.close();
    await collector.close();
  }
});
