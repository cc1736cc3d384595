import type { ScrapeResult } from '../../monitor/metric-scraper.js';
import type { Logger } from '../../telemetry/logger.js';
import type { MetricsRegistry } from '../../telemetry/metrics.js';

export interface ScrapeHealthOptions {
  logger: Pick<Logger, 'warn' | 'info'>;
  /** A failing target is logged at most once per this long (default 60 s), with the failures in between counted. */
  logEveryMs?: number;
  now?: () => number;
}

/** Characters of a bad exposition line kept in the log. */
const LOGGED_LINE_CHARS = 120;

/**
 * Scrape health per target, for a Prometheus alerting on homeostat: on `/metrics`,
 * `homeostat_scrape_up{target}` (1/0, the last scrape), `homeostat_scrape_duration_seconds{target}`,
 * `homeostat_scrape_failures_total{target}` and `homeostat_scrape_skipped_lines_total{target}`;
 * in the log, a failed scrape with the target, the error and, for a bad line, its number
 * and text. A dead target is logged once, then at most once per `logEveryMs` with how many
 * failures it had since, and once more when it answers again.
 *
 * @example
 * const health = scrapeHealth(registry, { logger });
 * watch = new MetricWatch({ …, onScrape: (result) => health.record(result) });
 */
export function scrapeHealth(registry: MetricsRegistry, options: ScrapeHealthOptions): { record: (result: ScrapeResult) => void } {
  const up = registry.gauge('homeostat_scrape_up', '1 when the last scrape of the target stored its samples, 0 when it failed, by target.');
  const duration = registry.gauge('homeostat_scrape_duration_seconds', 'How long the last scrape of the target took, by target.');
  const failures = registry.counter('homeostat_scrape_failures_total', 'Failed scrapes (refused, timed out, HTTP error, over a limit, not an exposition), by target.');
  const skippedLines = registry.counter('homeostat_scrape_skipped_lines_total', 'Exposition lines left out as malformed (the rest of the scrape stored), by target.');
  const everyMs = options.logEveryMs ?? 60_000;
  const now = options.now ?? Date.now;
  const failing = new Map<string, { loggedAt: number; unlogged: number }>();
  const skipLoggedAt = new Map<string, number>();

  return {
    record(result) {
      const target = result.target.name ?? result.target.url;
      const labels = { target };
      up.set(labels, result.ok ? 1 : 0);
      duration.set(labels, result.durationMs / 1_000);
      const firstSkipped = result.skipped?.[0];
      if (result.skippedCount) skippedLines.inc(labels, result.skippedCount);
      const badLine = firstSkipped ? { line: firstSkipped.line, reason: firstSkipped.reason, text: firstSkipped.text.slice(0, LOGGED_LINE_CHARS), skippedLines: result.skippedCount } : {};
      if (!result.ok) {
        failures.inc(labels);
        const state = failing.get(target);
        if (state && now() - state.loggedAt < everyMs) {
          state.unlogged++;
          return;
        }
        options.logger.warn({ target, url: withoutUserinfo(result.target.url), error: result.error, ...badLine, ...(state ? { failuresSinceLastLog: state.unlogged } : {}) }, 'scrape failed');
        failing.set(target, { loggedAt: now(), unlogged: 0 });
        return;
      }
      if (failing.delete(target)) options.logger.info({ target, url: withoutUserinfo(result.target.url) }, 'scrape target answers again');
      // A stored scrape with bad lines: said once per period per target too.
      if (firstSkipped && now() - (skipLoggedAt.get(target) ?? -Infinity) >= everyMs) {
        skipLoggedAt.set(target, now());
        options.logger.warn({ target, url: withoutUserinfo(result.target.url), ...badLine }, 'scrape skipped malformed lines');
      }
    },
  };
}

/** A URL for the log: a password in it stays out. */
function withoutUserinfo(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}
