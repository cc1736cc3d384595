import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { defineWorkflow, type WorkflowContext } from '../../src/index.js';
import { contextManagerPresent } from '../../src/telemetry/tracing.js';
import { otlpReceiver } from '../e2e/otlp-receiver.js';
import { testEngines, waitFor } from './capability-helpers.js';

const OTEL_VARIABLES = ['OTEL_TRACES_EXPORTER', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_SDK_DISABLED', 'OTEL_BSP_SCHEDULE_DELAY'];

/**
 * An embedded engine, tracing as the OTEL_* variables say, exports a run with a child run to a
 * receiver that decodes what it gets: the protocol picks the encoding, and the run's structure
 * holds without a context manager (none is installed: contexts are handed down explicitly).
 */
for (const [protocol, contentType] of [
  [undefined, 'application/x-protobuf'],
  ['http/json', 'application/json'],
] as const) {
  test(`OTLP export, ${protocol ?? 'no OTEL_EXPORTER_OTLP_PROTOCOL (protobuf)'}: a run, its steps and its child run, all spans received as ${contentType}`, async () => {
    for (const name of OTEL_VARIABLES) delete process.env[name];
    const collector = await otlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.endpoint;
    process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
    if (protocol) process.env.OTEL_EXPORTER_OTLP_PROTOCOL = protocol;
    const env = testEngines();
    try {
      const seen: { traceparent: string | null; active: string | null; contextManager: boolean }[] = [];
      const leaf = defineWorkflow('leaf', async (ctx: WorkflowContext) => ctx.step('leaf-step', () => 'leaf'));
      const parent = defineWorkflow('parent', async (ctx: WorkflowContext) => {
        await ctx.step('look', (step) => {
          seen.push({ traceparent: step.traceparent ?? null, active: trace.getActiveSpan()?.spanContext().spanId ?? null, contextManager: contextManagerPresent() });
        });
        return ctx.child(leaf, null);
      });
      const engine = await env.open([parent, leaf]);
      const run = await engine.start(parent, null);
      assert.equal(await run.result({ timeout: '5s' }), 'leaf');
      await waitFor('both runs exported', () => collector.spans.filter((s) => s.name === 'homeostat.run' && s.attributes['homeostat.run.status'] === 'completed').length === 2);

      assert.ok(collector.requests.length > 0 && collector.requests.every((r) => r.path === '/v1/traces' && r.contentType.startsWith(contentType)), JSON.stringify(collector.requests));
      const spans = collector.spans;
      const byName = (name: string, workflow: string) => spans.filter((s) => s.name === name && (s.attributes['homeostat.workflow.name'] === workflow || s.attributes['homeostat.step.name'] === workflow));
      const [parentStart] = byName('homeostat.run.start', 'parent');
      const [parentRun] = byName('homeostat.run', 'parent');
      const [look] = byName('homeostat.step', 'look');
      const [childStart] = byName('homeostat.run.start', 'leaf');
      const [childRun] = byName('homeostat.run', 'leaf');
      const [leafStep] = byName('homeostat.step', 'leaf-step');
      assert.ok(parentStart && parentRun && look && childStart && childRun && leafStep, spans.map((s) => s.name).join(', '));
      assert.equal(parentStart.service, 'homeostat');
      assert.equal(parentRun.parentSpanId, parentStart.spanId);
      assert.equal(look.parentSpanId, parentRun.spanId);
      assert.equal(look.attributes['homeostat.step.status'], 'completed');
      assert.equal(childStart.parentSpanId, parentRun.spanId, 'the child run starts under its parent\'s execution');
      assert.equal(childStart.attributes['homeostat.run.parent_id'], run.id);
      assert.equal(childRun.parentSpanId, childStart.spanId);
      assert.equal(leafStep.parentSpanId, childRun.spanId);
      assert.equal(new Set(spans.map((s) => s.traceId)).size, 1, 'one trace');
      // The step function got its span's context explicitly; nothing was made active (no context manager).
      assert.deepEqual(seen, [{ traceparent: `00-${look.traceId}-${look.spanId}-01`, active: null, contextManager: false }]);
    } finally {
      for (const name of OTEL_VARIABLES) delete process.env[name];
      await env.cleanup();
      await collector.close();
    }
  });
}
