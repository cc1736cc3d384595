import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { defineWorkflow, HomeostatError, type WorkflowContext } from '../../src/index.js';
import { startTracing, type Tracing } from '../../src/telemetry/tracing.js';
import { deferred, testEngines, waitFor } from './capability-helpers.js';

/**
 * Tracing on for one test, into memory: the spans it finished, and a stop that shuts the SDK
 * down. With `applicationContextManager` the test registers a context manager first, as an
 * application with OpenTelemetry's auto-instrumentation does: the engine then also makes its
 * spans the active ones. Without, none is registered (homeostat installs none by default).
 */
async function memoryTracing(options: { applicationContextManager?: boolean } = {}): Promise<{ spans: () => ReadableSpan[]; tracing: Tracing }> {
  const exporter = new InMemorySpanExporter();
  const manager = options.applicationContextManager ? new AsyncLocalStorageContextManager().enable() : undefined;
  if (manager) assert.equal(context.setGlobalContextManager(manager), true);
  const started = await startTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  assert.equal(started.on, true);
  const tracing: Tracing = {
    get on() {
      return started.on;
    },
    flush: () => started.flush(),
    stop: async () => {
      await started.stop();
      if (manager) context.disable();
    },
  };
  return { spans: () => exporter.getFinishedSpans(), tracing };
}

const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** A workflow whose one step, "fetch", fails `failures` times before it answers; each call's traceparent and active span go to `seen`. */
function flakyFetch(failures: number, seen: Array<{ traceparent: string | null; active: string | null }>) {
  let calls = 0;
  return defineWorkflow('flaky', async (ctx: WorkflowContext) =>
    ctx.step('fetch', (step) => {
      calls++;
      seen.push({ traceparent: step.traceparent ?? null, active: trace.getActiveSpan()?.spanContext().spanId ?? null });
      if (calls <= failures) throw new HomeostatError('HS_TIMEOUT', `attempt ${calls} times out`, { retryable: true });
      return 'fetched';
    }, { retry: { maxAttempts: failures + 1, initialDelay: 1, jitter: 'none' } }),
  );
}

test('an application with a context manager, a run with a retried step: run → step (the first attempt, its failure an exception event) → an attempt span per retry', async () => {
  const { spans, tracing } = await memoryTracing({ applicationContextManager: true });
  const env = testEngines();
  try {
    const seen: Array<{ traceparent: string | null; active: string | null }> = [];
    const flaky = flakyFetch(2, seen);
    const engine = await env.open([flaky]);
    const run = await engine.start(flaky, null);
    assert.equal(await run.result({ timeout: '5s' }), 'fetched');
    await waitFor('the run span', () => named(spans(), 'homeostat.run').length === 1);

    const [start] = named(spans(), 'homeostat.run.start');
    const [execution] = named(spans(), 'homeostat.run');
    const [step] = named(spans(), 'homeostat.step');
    const retries = named(spans(), 'homeostat.attempt').sort((x, y) => Number(x.attributes['homeostat.attempt.number']) - Number(y.attributes['homeostat.attempt.number']));
    assert.ok(start && execution && step);
    assert.equal(start.attributes['homeostat.run.id'], run.id);
    assert.equal(parentOf(execution), start.spanContext().spanId, 'the execution is a child of the run start');
    assert.equal(execution.attributes['homeostat.workflow.name'], 'flaky');
    assert.equal(execution.attributes['homeostat.run.status'], 'completed');
    assert.equal(parentOf(step), execution.spanContext().spanId);
    assert.equal(step.attributes['homeostat.step.name'], 'fetch');
    assert.equal(step.attributes['homeostat.step.attempts'], 3);
    assert.equal(step.attributes['homeostat.step.status'], 'completed');
    // The first attempt is the step span's: its failure is recorded there, as an exception event.
    const failures = step.events.filter((e) => e.name === 'exception');
    assert.deepEqual(failures.map((e) => [e.attributes?.['homeostat.attempt.number'], e.attributes?.['homeostat.error.code'], e.attributes?.['exception.message']]), [[1, 'HS_TIMEOUT', 'attempt 1 times out']]);
    // Each retry has its own span under the step: the second failed, the third succeeded.
    assert.deepEqual(retries.map((a) => [a.attributes['homeostat.attempt.number'], a.attributes['homeostat.attempt.outcome'], a.attributes['homeostat.error.code']]), [
      [2, 'error', 'HS_TIMEOUT'],
      [3, 'ok', undefined],
    ]);
    for (const retry of retries) assert.equal(parentOf(retry), step.spanContext().spanId);
    // What each attempt saw: the span it ran in, as traceparent and as the active span.
    const ranIn = [step, ...retries].map((s) => s.spanContext());
    assert.deepEqual(seen, ranIn.map(({ traceId, spanId }) => ({ traceparent: `00-${traceId}-${spanId}-01`, active: spanId })));
    const traceIds = new Set(spans().map((s) => s.spanContext().traceId));
    assert.equal(traceIds.size, 1, 'one trace for the whole run');
  } finally {
    await env.cleanup();
    await tracing.stop();
  }
});

test('without a context manager (the default), a retried step: the same spans, each attempt given its own span\'s traceparent, and no span made active', async () => {
  const { spans, tracing } = await memoryTracing();
  const env = testEngines();
  try {
    const seen: Array<{ traceparent: string | null; active: string | null }> = [];
    const flaky = flakyFetch(1, seen);
    const engine = await env.open([flaky]);
    assert.equal(await (await engine.start(flaky, null)).result({ timeout: '5s' }), 'fetched');
    await waitFor('the run span', () => named(spans(), 'homeostat.run').length === 1);
    const [execution] = named(spans(), 'homeostat.run');
    const [step] = named(spans(), 'homeostat.step');
    const [retry] = named(spans(), 'homeostat.attempt');
    assert.ok(execution && step && retry);
    assert.equal(parentOf(execution), named(spans(), 'homeostat.run.start')[0]!.spanContext().spanId);
    assert.equal(parentOf(step), execution.spanContext().spanId);
    assert.equal(parentOf(retry), step.spanContext().spanId);
    assert.deepEqual(step.events.map((e) => e.attributes?.['homeostat.attempt.number']), [1]);
    assert.equal(retry.attributes['homeostat.attempt.outcome'], 'ok');
    assert.deepEqual(seen, [step, retry].map((s) => ({ traceparent: `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`, active: null })));
  } finally {
    await env.cleanup();
    await tracing.stop();
  }
});

test('a step that succeeds at once has one span, the step\'s: its traceparent, and the active span inside the step where the application has a context manager', async () => {
  const { spans, tracing } = await memoryTracing({ applicationContextManager: true });
  const env = testEngines();
  try {
    const seen = defineWorkflow('seen', async (ctx: WorkflowContext) =>
      ctx.step('look', (step) => ({ traceparent: step.traceparent ?? null, tracestate: step.tracestate ?? null, active: trace.getActiveSpan()?.spanContext().spanId ?? null })),
    );
    const engine = await env.open([seen]);
    const output = await (await engine.start(seen, null)).result({ timeout: '5s' });
    await waitFor('the run span', () => named(spans(), 'homeostat.run').length === 1);
    const [step] = named(spans(), 'homeostat.step');
    const { traceId, spanId } = step!.spanContext();
    assert.deepEqual(output, { traceparent: `00-${traceId}-${spanId}-01`, tracestate: null, active: spanId });
    assert.equal(named(spans(), 'homeostat.attempt').length, 0, 'no attempt span besides the step span');
    assert.equal(step!.events.length, 0);
  } finally {
    await env.cleanup();
    await tracing.stop();
  }
});

test('a run the sampler leaves out: no step spans, and its steps pass the trace on as not sampled', async () => {
  const { spans, tracing } = await memoryTracing({ applicationContextManager: true });
  const env = testEngines();
  try {
    const calls = defineWorkflow('calls', async (ctx: WorkflowContext) => {
      const first = await ctx.step('one', (step) => step.traceparent ?? null);
      const second = await ctx.step('two', (step) => step.traceparent ?? null);
      return [first, second];
    });
    const engine = await env.open([calls]);
    // The caller's context says "not sampled" (as an incoming traceparent ending in -00 does):
    // the default parent-based sampler leaves the whole run out.
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.NONE, isRemote: true });
    const run = await context.with(unsampled, () => engine.start(calls, null));
    const [first, second] = await run.result({ timeout: '5s' });
    const stored = (await engine.getRun(run.id))!;
    assert.match(stored.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`), 'the run is stored in the caller\'s trace, not sampled');
    for (const seen of [first, second]) assert.match(seen ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    assert.equal(first, second, 'both steps run in the execution\'s context');
    assert.notEqual(first?.split('-')[2], stored.traceparent!.split('-')[2], 'the execution\'s span, not the start\'s');
    await tracing.flush();
    assert.deepEqual(spans().map((s) => s.name), [], 'nothing recorded');
  } finally {
    await env.cleanup();
    await tracing.stop();
  }
});

test('a run resumed by a second engine on the same SQLite file continues the same trace', async () => {
  const { spans, tracing } = await memoryTracing();
  const env = testEngines();
  try {
    const gate = deferred<string>();
    const resumable = (who: string, third: () => Promise<string> | string) =>
      defineWorkflow('resumable', async (ctx: WorkflowContext) => {
        const first = await ctx.step('first', () => `first by ${who}`);
        const second = await ctx.step('second', third);
        return [first, second];
      });
    const a = await env.open([resumable('A', () => gate.promise)], { worker: { concurrency: 1 } });
    const run = await a.start('resumable', null);
    await waitFor('step one recorded', async () => (await a.describe(run.id)).steps.length === 1);
    const stored = (await a.getRun(run.id))!;
    assert.match(stored.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/, 'the run is stored with its trace context');

    // A's lease is handed back while its step hangs (as when it stalls): B takes the run over.
    const b = await env.open([resumable('B', () => 'second by B')]);
    await b.store.releaseWorker(a.worker!.id, Date.now());
    assert.deepEqual(await b.result(run.id, { timeout: '5s' }), ['first by A', 'second by B']);
    gate.resolve('late');
    await waitFor('two executions traced', () => named(spans(), 'homeostat.run').length === 2);

    const executions = named(spans(), 'homeostat.run');
    const [start] = named(spans(), 'homeostat.run.start');
    assert.deepEqual(new Set(executions.map((e) => e.spanContext().traceId)), new Set([start!.spanContext().traceId]), 'both executions in the run\'s trace');
    for (const execution of executions) assert.equal(parentOf(execution), start!.spanContext().spanId);
    assert.equal(stored.traceparent, `00-${start!.spanContext().traceId}-${start!.spanContext().spanId}-01`);
    const byB = executions.find((e) => e.attributes['homeostat.run.status'] === 'completed')!;
    assert.ok(Number(byB.attributes['homeostat.run.epoch']) > 1, 'the completing execution is a later claim');
    // B replays `first` (recorded by A) without executing it again: its only step span is `second`.
    const stepsUnderB = named(spans(), 'homeostat.step').filter((s) => parentOf(s) === byB.spanContext().spanId);
    assert.deepEqual(stepsUnderB.map((s) => s.attributes['homeostat.step.name']), ['second']);
  } finally {
    await env.cleanup();
    await tracing.stop();
  }
});

test('a run started inside an active span is its child, and so is its child run', async () => {
  const { spans, tracing } = await memoryTracing({ applicationContextManager: true });
  const env = testEngines();
  try {
    const leaf = defineWorkflow('leaf', async (ctx: WorkflowContext) => ctx.step('leaf-step', () => 'leaf'));
    const parent = defineWorkflow('parent', async (ctx: WorkflowContext) => ctx.child(leaf, null));
    const engine = await env.open([parent, leaf]);
    const outer = trace.getTracer('test').startSpan('outer');
    const run = await trace.getTracer('test').startActiveSpan('caller', async (caller) => {
      const started = await engine.start(parent, null);
      caller.end();
      return started;
    });
    outer.end();
    assert.equal(await run.result({ timeout: '5s' }), 'leaf');
    await waitFor('both runs traced', () => named(spans(), 'homeostat.run').filter((s) => s.attributes['homeostat.run.status'] === 'completed').length === 2);
    const [caller] = named(spans(), 'caller');
    const starts = named(spans(), 'homeostat.run.start');
    const parentStart = starts.find((s) => s.attributes['homeostat.workflow.name'] === 'parent')!;
    const childStart = starts.find((s) => s.attributes['homeostat.workflow.name'] === 'leaf')!;
    assert.equal(parentOf(parentStart), caller!.spanContext().spanId);
    assert.equal(childStart.attributes['homeostat.run.parent_id'], run.id);
    const parentExecutions = named(spans(), 'homeostat.run').filter((s) => s.attributes['homeostat.workflow.name'] === 'parent');
    assert.ok(parentExecutions.some((e) => e.spanContext().spanId === parentOf(childStart)), 'the child run starts under an execution of its parent');
    const traceIds = new Set([caller!, ...named(spans(), 'homeostat.run'), ...named(spans(), 'homeostat.step')].map((s) => s.spanContext().traceId));
    assert.equal(traceIds.size, 1);
  } finally {
    await env.cleanup();
    await tracing.stop();
  }
});
