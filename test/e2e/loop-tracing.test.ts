import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleApiService, UpHarness, webhookReceiver } from './loop-harness.js';
import { ancestry, otlpReceiver } from './otlp-receiver.js';

test('with OTEL_EXPORTER_OTLP_ENDPOINT set, up exports (protobuf) the remediation as one trace (remediation → run → action → verification), its webhook carries traceparent, and its log lines the trace id', async () => {
  const collector = await otlpReceiver();
  const hook = await webhookReceiver();
  const h = new UpHarness(`services:
${exampleApiService('api')}
policies:
  hang:
    match: { symptom: [liveness-failing] }
    ladder: [{ action: webhook, url: "${hook.url}/act" }, { action: restart }]
    verify: { healthyFor: 500ms, timeout: 5s }
`);
  try {
    await h.up({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_SERVICE_NAME: 'healer-under-test', OTEL_BSP_SCHEDULE_DELAY: '200' });
    await h.healthy('api');
    await h.fault('api#0', 'hang');
    const incident = await h.waitForIncident((i) => i.status === 'resolved', 45_000, 'the hang incident resolved');
    await h.waitFor(() => hook.received.some((r) => r.path === '/act'), 10_000, 'the webhook action');
    await h.waitFor(() => collector.spans.some((s) => s.name === 'homeostat.verification') && collector.spans.some((s) => s.name === 'homeostat.action'), 15_000, 'the action and verification spans exported');

    const spans = collector.spans;
    // No OTEL_EXPORTER_OTLP_PROTOCOL: protobuf, the spec's default (decoded by the receiver from the wire format).
    assert.ok(collector.requests.every((r) => r.path === '/v1/traces' && r.contentType.startsWith('application/x-protobuf')), JSON.stringify(collector.requests));
    const remediation = spans.find((s) => s.name === 'homeostat.remediation' && s.attributes['homeostat.incident.id'] === incident.id);
    assert.ok(remediation, `a remediation span for ${incident.id}: ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(remediation.service, 'healer-under-test');
    assert.equal(remediation.attributes['homeostat.incident.symptom'], 'liveness-failing');
    assert.equal(remediation.attributes['homeostat.incident.element'], 'api');
    assert.equal(remediation.attributes['homeostat.policy.name'], 'hang');
    const inTrace = spans.filter((s) => s.traceId === remediation.traceId);

    const webhookAction = inTrace.find((s) => s.name === 'homeostat.action' && s.attributes['homeostat.action.kind'] === 'webhook');
    assert.ok(webhookAction, `the webhook action in the remediation's trace: ${inTrace.map((s) => s.name).join(', ')}`);
    assert.equal(webhookAction.attributes['homeostat.action.outcome'], 'ok');
    const chain = ancestry(spans, webhookAction).map((s) => s.name);
    // The action's step succeeded at its first attempt: the action hangs from the step span itself.
    assert.deepEqual(chain.slice(0, 2), ['homeostat.action', 'homeostat.step']);
    for (const name of ['homeostat.step', 'homeostat.run', 'homeostat.run.start', 'homeostat.remediation']) assert.ok(chain.includes(name), `${name} above the action: ${chain.join(' ← ')}`);
    assert.equal(ancestry(spans, webhookAction).at(-1)!.spanId, remediation.spanId, 'the remediation is the root');

    const verification = inTrace.find((s) => s.name === 'homeostat.verification');
    assert.ok(verification, 'a verification in the same trace');
    assert.equal(ancestry(spans, verification).at(-1)!.spanId, remediation.spanId);
    assert.equal(typeof verification.attributes['homeostat.verification.ok'], 'boolean');
    const guard = inTrace.find((s) => s.name === 'homeostat.guardrails');
    assert.ok(guard, 'the guardrails verdict in the same trace');
    assert.equal(guard.attributes['homeostat.guardrail.allowed'], true);
    assert.ok(guard.events.some((e) => e.name === 'homeostat.guardrail' && e.attributes['homeostat.guardrail.name'] === 'blast-radius'), JSON.stringify(guard.events));

    // The webhook was posted inside the action's span: its traceparent names that span.
    const posted = hook.received.find((r) => r.path === '/act')!;
    assert.equal(posted.headers.traceparent, `00-${webhookAction.traceId}-${webhookAction.spanId}-01`);

    // The actuator's log line ("action executed") is written in the step (its first attempt), around the action span.
    const log = readFileSync(join(h.dir, 'state', 'homeostat.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const executed = log.find((l) => l.msg === 'action executed' && l.action === 'webhook');
    assert.ok(executed, 'the webhook action was logged');
    assert.equal(executed.trace_id, remediation.traceId);
    assert.equal(executed.span_id, webhookAction.parentSpanId);
  } finally {
    await h.close();
    await hook.close();
    await collector.close();
  }
});

test('an OTEL_* variable up cannot follow: it says which and why, logs it, and runs on untraced', async () => {
  const h = new UpHarness(`services:
${exampleApiService('api')}
`);
  try {
    await h.up({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' });
    await h.healthy('api');
    const said = await h.waitForLine(/OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" is not/, 5_000);
    assert.match(said, /\(tracing stays off\)$/);
    const log = readFileSync(join(h.dir, 'state', 'homeostat.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const logged = log.find((l) => l.variable === 'OTEL_EXPORTER_OTLP_ENDPOINT');
    assert.ok(logged, 'the error is in the log, naming the variable');
    assert.equal(logged.level, 50);
    assert.equal(log.some((l) => 'trace_id' in l), false, 'untraced: no line carries a trace id');
  } finally {
    await h.close();
  }
});
