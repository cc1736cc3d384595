/**
 * How a scraped series' own labels meet its target's: which element (the `service` label
 * symptom rules select on) and instance the series belongs to, and whose `job`/`instance`
 * win. An exporter's series are about what it observes (redis_exporter's are redis's), so
 * the element is the target's, or is read from a label of the series.
 */
export interface ScrapeMapping {
  /** The target's labels: `service` (the element), `instance`, `job` and any configured. */
  targetLabels: Readonly<Record<string, string>>;
  /**
   * Prometheus' `honor_labels`: true keeps the exposition's value of a label the target
   * also sets; false (default) gives the target's, and keeps the exposition's as
   * `exported_<name>` so nothing is lost.
   */
  honorLabels?: boolean;
  /** The series' label whose value names its element (`service`); series without it keep the target's. */
  elementFrom?: string;
  /** The series' label whose value names its instance; series without it keep the target's. */
  instanceFrom?: string;
}

/**
 * The labels a scraped sample is stored with.
 *
 * @example
 * mapScrapedLabels({ instance: 'db:6379' }, { targetLabels: { service: 'redis', instance: '127.0.0.1:9121' } })
 * // { instance: '127.0.0.1:9121', exported_instance: 'db:6379', service: 'redis' }
 * @example
 * mapScrapedLabels({ app: 'cart' }, { targetLabels: { service: 'node' }, elementFrom: 'app' }) // { app: 'cart', service: 'cart' }
 */
export function mapScrapedLabels(own: Readonly<Record<string, string>>, mapping: ScrapeMapping): Record<string, string> {
  const labels: Record<string, string> = { ...own };
  for (const [name, value] of Object.entries(mapping.targetLabels)) {
    const theirs = own[name];
    if (theirs === undefined || theirs === '') labels[name] = value;
    else if (!mapping.honorLabels && theirs !== value) {
      labels[`exported_${name}`] = theirs;
      labels[name] = value;
    }
  }
  const element = mapping.elementFrom ? own[mapping.elementFrom] : undefined;
  if (element) labels.service = element;
  const instance = mapping.instanceFrom ? own[mapping.instanceFrom] : undefined;
  if (instance) labels.instance = instance;
  return labels;
}
