import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import { context } from '@opentelemetry/api';
import { defineWorkflow, type WorkflowContext } from '../../src/index.js';
import { postJson } from '../../src/execute/webhook-delivery.js';
import { tracingOn } from '../../src/telemetry/tracing.js';
import { testEngines } from './capability-helpers.js';

// The SDK packages are CommonJS: loading them (even by `import()`) puts their files in the CommonJS module cache.
const moduleCache = createRequire(import.meta.url).cache;
const sdkModulesLoaded = () => Object.keys(moduleCache).filter((path) => /@opentelemetry[\\/](sdk-trace|exporter-trace|otlp-|resources)/.test(path));

/** A listener that keeps the headers of every request it gets. */
async function headerListener(): Promise<{ url: string; headers: Record<string, string | string[] | undefined>[]; close: () => Promise<void> }> {
  const headers: Record<string, string | string[] | undefined>[] = [];
  const server = createServer((req, res) => {
    headers.push(req.headers);
    req.resume().on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`, headers, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const OTEL_VARIABLES = ['OTEL_TRACES_EXPORTER', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_SDK_DISABLED'];

test('tracing off (no OTEL_* variable): a run executes without loading any SDK module, steps get no traceparent, webhooks no header', async () => {
  for (const name of OTEL_VARIABLES) delete process.env[name];
  const env = testEngines();
  const listener = await headerListener();
  try {
    const probe = defineWorkflow('probe', async (ctx: WorkflowContext) => ctx.step('look', async (step) => {
      await postJson(listener.url, JSON.stringify({ hello: 1 }), { timeoutMs: 2_000 });
      return step.traceparent ?? null;
    }));
    const engine = await env.open([probe]);
    assert.equal(await (await engine.start(probe, null)).result({ timeout: '5s' }), null);
    assert.equal(tracingOn(), false);
    assert.deepEqual(sdkModulesLoaded(), []);
    assert.equal(listener.headers.length, 1);
    assert.equal(listener.headers[0]!.traceparent, undefined);
    assert.equal((await engine.getRun((await engine.listRuns())[0]!.id))!.traceparent, null);
  } finally {
    await env.cleanup();
    await listener.close();
  }
});

// The check above could pass by looking in the wrong place: with tracing on, the same look finds the SDK.
test('tracing on (OTEL_EXPORTER_OTLP_ENDPOINT set): the SDK is loaded, and with a context manager registered (as `up` and auto-instrumented applications have one) a step\'s webhook carries traceparent', async () => {
  const listener = await headerListener();
  // homeostat's webhook sender takes the active span's context: the application's context manager tracks it.
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // Nothing listens at the collector's address: exports fail quietly, the run does not care.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9';
  process.env.OTEL_BSP_SCHEDULE_DELAY = '60000';
  const env = testEngines();
  try {
    const probe = defineWorkflow('probe', async (ctx: WorkflowContext) => ctx.step('look', async (step) => {
      await postJson(listener.url, JSON.stringify({ hello: 1 }), { timeoutMs: 2_000 });
      return step.traceparent ?? null;
    }));
    const engine = await env.open([probe]);
    const traceparent = await (await engine.start(probe, null)).result({ timeout: '5s' });
    assert.equal(tracingOn(), true);
    assert.ok(sdkModulesLoaded().some((path) => /sdk-trace-node/.test(path)), 'the SDK is in the module cache');
    assert.match(String(traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.equal(listener.headers[0]!.traceparent, traceparent, 'the webhook posted inside the step carries the context the step was given');
  } finally {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    await env.cleanup();
    await listener.close();
    context.disable();
  }
});

test('a variable homeostat cannot follow: the engine runs untraced, and a process warning names the variable once', async () => {
  process.env.OTEL_TRACES_EXPORTER = 'zipkin';
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  const env = testEngines();
  try {
    const probe = defineWorkflow('probe', async (ctx: WorkflowContext) => ctx.step('look', (step) => step.traceparent ?? null));
    const first = await env.open([probe]);
    await env.open([], { worker: false });
    assert.equal(await (await first.start(probe, null)).result({ timeout: '5s' }), null);
    assert.equal(tracingOn(), false);
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    const ours = warnings.filter((w) => (w as { code?: string }).code === 'HS_TRACING_CONFIG');
    assert.equal(ours.length, 1, warnings.map((w) => w.message).join(' | '));
    assert.match(ours[0]!.message, /^OTEL_TRACES_EXPORTER: "zipkin" is not an exporter/);
  } finally {
    delete process.env.OTEL_TRACES_EXPORTER;
    process.off('warning', onWarning);
    await env.cleanup();
  }
});
