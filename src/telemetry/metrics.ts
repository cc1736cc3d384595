/** Label values of one series (`{ kind: 'restart', outcome: 'ok' }`). */
export type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

const DEFAULT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

const keyOf = (labels: Labels) => labelText(labels);

/** A monotonically increasing count per label set, incremented here or read from `collect` at scrape time. */
export class Counter implements Family {
  readonly type = 'counter' as const;
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  /** `collect`: read the counts at scrape time from what already counts them (never decreasing). */
  constructor(readonly name: string, readonly help: string, private readonly collect?: () => { labels: Labels; value: number }[]) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = keyOf(labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }
  get(labels: Labels = {}): number {
    return this.values.get(keyOf(labels))?.value ?? 0;
  }
  render(): string[] {
    const entries = this.collect ? this.collect() : [...this.values.values()];
    return entries.map((e) => `${this.name}${labelText(e.labels)} ${e.value}`);
  }
}

/** A value that goes up and down, set directly or read from `collect` at scrape time. */
export class Gauge implements Family {
  readonly type = 'gauge' as const;
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string, private readonly collect?: () => { labels: Labels; value: number }[]) {}
  set(labels: Labels, value: number): void {
    this.values.set(keyOf(labels), { labels, value });
  }
  render(): string[] {
    const entries = this.collect ? this.collect() : [...this.values.values()];
    return entries.map((e) => `${this.name}${labelText(e.labels)} ${e.value}`);
  }
}

/** Observations in cumulative buckets (seconds, by convention), with sum and count. */
export class Histogram implements Family {
  readonly type = 'histogram' as const;
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: number[] = DEFAULT_BUCKETS) {}
  observe(labels: Labels, value: number): void {
    const key = keyOf(labels);
    const entry = this.series.get(key) ?? { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
    for (const [i, bound] of this.buckets.entries()) if (value <= bound) entry.counts[i]!++;
    entry.sum += value;
    entry.count++;
    this.series.set(key, entry);
  }
  count(labels: Labels = {}): number {
    return this.series.get(keyOf(labels))?.count ?? 0;
  }
  render(): string[] {
    const lines: string[] = [];
    for (const e of this.series.values()) {
      for (const [i, bound] of this.buckets.entries()) lines.push(`${this.name}_bucket${labelText(e.labels, ['le', String(bound)])} ${e.counts[i]}`);
      lines.push(`${this.name}_bucket${labelText(e.labels, ['le', '+Inf'])} ${e.count}`);
      lines.push(`${this.name}_sum${labelText(e.labels)} ${e.sum}`);
      lines.push(`${this.name}_count${labelText(e.labels)} ${e.count}`);
    }
    return lines;
  }
}

/**
 * homeostat's own metrics, rendered in the Prometheus text format (the same format its
 * monitor parses). No dependency: a few families with labels are all the loop needs.
 *
 * @example
 * const registry = new MetricsRegistry();
 * const actions = registry.counter('homeostat_actions_total', 'Remediation actions.');
 * actions.inc({ kind: 'restart', outcome: 'ok' });
 * registry.render() // '# HELP homeostat_actions_total …\n# TYPE … counter\nhomeostat_actions_total{kind="restart",outcome="ok"} 1\n'
 * @example
 * registry.counter('homeostat_actions_total', 'again') // returns the same counter
 */
export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string, collect?: () => { labels: Labels; value: number }[]): Counter {
    return this.add(name, () => new Counter(name, help, collect)) as Counter;
  }

  gauge(name: string, help: string, collect?: () => { labels: Labels; value: number }[]): Gauge {
    return this.add(name, () => new Gauge(name, help, collect)) as Gauge;
  }

  histogram(name: string, help: string, buckets?: number[]): Histogram {
    return this.add(name, () => new Histogram(name, help, buckets)) as Histogram;
  }

  render(): string {
    let text = '';
    for (const family of this.families.values()) {
      text += `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`;
      for (const line of family.render()) text += `${line}\n`;
    }
    return text;
  }

  private add(name: string, create: () => Family): Family {
    let family = this.families.get(name);
    if (!family) {
      family = create();
      this.families.set(name, family);
    }
    return family;
  }
}
