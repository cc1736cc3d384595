import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsRegistry } from '../../telemetry/metrics.js';
import type { ScrapeResult } from '../../monitor/metric-scraper.js';
import { scrapeHealth } from './scrape-health.js';

function recorder() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const logger = {
    warn: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'warn', fields, message }),
    info: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'info', fields, message }),
  };
  return { lines, logger: logger as never };
}

const target = { url: 'http://127.0.0.1:9121/metrics', name: 'redis-exporter', labels: { service: 'redis' } };
const failed: ScrapeResult = { target, ok: false, samples: 0, error: 'fetch failed', durationMs: 3 };
const ok: ScrapeResult = { target, ok: true, samples: 10, durationMs: 250 };

test('per target: up, duration, failures and skipped lines on /metrics', () => {
  const registry = new MetricsRegistry();
  const { logger } = recorder();
  const health = scrapeHealth(registry, { logger });
  health.record(ok);
  health.record({ ...ok, target: { ...target, name: 'node' }, skipped: [{ line: 7, reason: 'invalid value "x" for a', text: 'a x' }], skippedCount: 2 });
  health.record(failed);
  const text = registry.render();
  assert.match(text, /homeostat_scrape_up\{target="redis-exporter"\} 0/);
  assert.match(text, /homeostat_scrape_up\{target="node"\} 1/);
  assert.match(text, /homeostat_scrape_duration_seconds\{target="redis-exporter"\} 0.003/);
  assert.match(text, /homeostat_scrape_failures_total\{target="redis-exporter"\} 1/);
  assert.match(text, /homeostat_scrape_skipped_lines_total\{target="node"\} 2/);
});

test('a dead target is logged once per period with the failures between counted, and once when it answers again', () => {
  let now = 0;
  const { lines, logger } = recorder();
  const health = scrapeHealth(new MetricsRegistry(), { logger, logEveryMs: 60_000, now: () => now });
  for (let i = 0; i < 30; i++) {
    health.record(failed);
    now += 5_000;
  }
  assert.deepEqual(
    lines.map((l) => [l.message, l.fields.target, l.fields.error, l.fields.failuresSinceLastLog]),
    [
      ['scrape failed', 'redis-exporter', 'fetch failed', undefined],
      ['scrape failed', 'redis-exporter', 'fetch failed', 11],
      ['scrape failed', 'redis-exporter', 'fetch failed', 11],
    ],
  );
  health.record(ok);
  assert.deepEqual([lines.at(-1)!.level, lines.at(-1)!.message], ['info', 'scrape target answers again']);
});

test('a scrape that is not an exposition is logged with the line number and the line, cut short', () => {
  const { lines, logger } = recorder();
  const health = scrapeHealth(new MetricsRegistry(), { logger });
  const long = `<html>${'x'.repeat(500)}`;
  health.record({ ...failed, error: 'not a metrics exposition: line 1: expected a metric name', skipped: [{ line: 1, reason: 'expected a metric name, got "<html>"', text: long.slice(0, 200) }], skippedCount: 40 });
  assert.equal(lines[0]!.fields.line, 1);
  assert.equal((lines[0]!.fields.text as string).length, 120);
  assert.equal(lines[0]!.fields.skippedLines, 40);
});
