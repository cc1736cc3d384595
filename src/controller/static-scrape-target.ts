import type { HomeostatConfig } from '../config/schema/root.js';
import type { ScrapeTarget } from '../monitor/metric-scraper.js';

/** One `monitor.scrape` entry as configured. */
export type ScrapeTargetConfig = HomeostatConfig['monitor']['scrape'][number];

/**
 * The {@link ScrapeTarget} of a static (`url:`) entry: its series get, as Prometheus gives
 * them, `job` (default the element) and `instance` (`<host>:<port>` of the URL), plus
 * `service` (the element they belong to) and the configured `labels`; the mapping options
 * say how these meet the exposition's own labels. Its name (logs, `/metrics`) is `name`, or
 * the URL without its userinfo.
 *
 * @example
 * staticScrapeTarget({ url: 'http://127.0.0.1:9121/metrics', element: 'redis', … }).labels
 * // { job: 'redis', instance: '127.0.0.1:9121', service: 'redis' }
 */
export function staticScrapeTarget(config: ScrapeTargetConfig): ScrapeTarget {
  const url = new URL(config.url!);
  const element = config.element!;
  // The name is shown in logs and on /metrics: a password in the URL stays out of both.
  const shown = new URL(config.url!);
  shown.username = '';
  shown.password = '';
  const name = config.name ?? shown.href;
  return {
    url: config.url!,
    name,
    labels: { job: config.job ?? element, instance: url.host, ...config.labels, service: element },
    mapping: {
      honorLabels: config.honorLabels,
      ...(config.elementFrom ? { elementFrom: config.elementFrom } : {}),
      ...(config.instanceFrom ? { instanceFrom: config.instanceFrom } : {}),
    },
    timeoutMs: config.timeout,
    maxBodyBytes: config.maxBodyBytes,
    maxSeries: config.maxSeries,
    source: `scrape:${name}`,
  };
}
