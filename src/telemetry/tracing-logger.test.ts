import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { createLogger, flushLogger } from './logger.js';
import { startTracing, tracer } from './tracing.js';

test('a log line written inside a span carries its trace_id and span_id; one outside a span carries none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-trace-log-'));
  const path = join(dir, 'homeostat.log');
  const logger = createLogger({ destination: path });
  const exporter = new InMemorySpanExporter();
  // As `homeostat up` starts it: with the context manager, so log lines follow the active span.
  const tracing = await startTracing({ spanProcessors: [new SimpleSpanProcessor(exporter)], contextManager: true });
  try {
    logger.info({ first: 1 }, 'before any span');
    logger.info({ second: 2 }, 'also outside');
    const ids = await tracer().startActiveSpan('homeostat.test', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 5)); // across an await: the context follows
      logger.info({ incident: 'inc-1' }, 'inside the span');
      span.end();
      return span.spanContext();
    });
    await flushLogger(logger);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const inside = lines.find((l) => l.msg === 'inside the span')!;
    assert.equal(inside.trace_id, ids.traceId);
    assert.equal(inside.span_id, ids.spanId);
    assert.equal(inside.incident, 'inc-1');
    const outside = lines.find((l) => l.msg === 'before any span')!;
    assert.equal('trace_id' in outside, false);
    assert.equal(outside.first, 1);
    const also = lines.find((l) => l.msg === 'also outside')!;
    assert.deepEqual([also.second, 'first' in also, 'trace_id' in also], [2, false, false], 'no line\'s fields leak into the next');
    assert.equal(exporter.getFinishedSpans()[0]?.spanContext().traceId, ids.traceId);
  } finally {
    await tracing.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
