import { sampleValueJson } from '../monitor/sample-value-json.js';
import type { HomeostatConfig } from '../config/schema/root.js';
import type { SymptomRuleConfig } from '../config/schema/symptom-rules.js';
import type { Symptom } from '../analyze/symptom.js';
import { createDetector } from '../analyze/detectors/create-detector.js';
import { ScoreRule } from '../analyze/score-rule.js';
import { ThresholdRule } from '../analyze/threshold-rule.js';
import { TrendRule } from '../analyze/trend-rule.js';
import { AbsenceRule } from '../analyze/absence-rule.js';
import { recordTargetHealth, scrapeOnce, type ScrapeResult } from '../monitor/metric-scraper.js';
import { staticScrapeTarget, type ScrapeTargetConfig } from './static-scrape-target.js';
import { ratioReadings, seriesReading } from './rule-readings.js';
import { TimeSeriesStore } from '../monitor/time-series.js';
import { canonicalJson } from '../knowledge/canonical-json.js';
import { systemClock, type Clock } from '../resilience/clock.js';

/** A scrapeable replica of a service. */
export interface ScrapeEndpoint {
  instance: string;
  port: number | null;
}

export interface MetricWatchOptions {
  config: HomeostatConfig;
  /** The replicas of a service now (ports change with scaling and restarts). */
  endpoints: (service: string) => ScrapeEndpoint[];
  /** Where a fired rule goes (the loop's `observe`). */
  observe: (symptom: Symptom) => void;
  series?: TimeSeriesStore;
  clock?: Clock;
  /** Each scrape (for homeostat's own metrics and logs). */
  onScrape?: (result: ScrapeResult) => void;
  /** A rule cleared (the symptom stopped). */
  onCleared?: (rule: string, instance: string, value: number) => void;
}

/**
 * The metric half of Monitor → Analyze: scrapes each `monitor.scrape` service's replicas
 * on their own timer into a bounded {@link TimeSeriesStore}, then evaluates every
 * `symptoms:` rule of that service — a {@link ThresholdRule} (above / below), detector or
 * trend per series or per instance's ratio (hysteresis, `for`), an {@link AbsenceRule} per
 * selector — turning a firing rule into a symptom named after the rule.
 *
 * @example
 * const watch = new MetricWatch({ config, endpoints: (s) => supervisor.status()…, observe: (s) => loop.observe(s) });
 * watch.start(); … watch.stop();
 * @example
 * await watch.evaluate('api', Date.now()) // rules fire only after two scrapes for `rate`
 */
export class MetricWatch {
  readonly series: TimeSeriesStore;
  private readonly clock: Clock;
  private readonly timers: NodeJS.Timeout[] = [];
  private scrapeTimers: NodeJS.Timeout[] = [];
  private running = false;
  private readonly rules = new Map<string, SeriesRule>();
  private readonly abort = new AbortController();

  constructor(private readonly options: MetricWatchOptions) {
    const { monitor } = options.config;
    this.series = options.series ?? new TimeSeriesStore({ retentionMs: monitor.retention, maxSeries: monitor.maxSeries });
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    this.running = true;
    this.startScrapes();
    const prune = setInterval(() => this.series.prune(this.clock.now()), 30_000);
    prune.unref();
    this.timers.push(prune);
  }

  /**
   * A new config version: its scrape targets replace the old ones at once, and a rule whose
   * definition changed (or was removed) starts over on the series already scraped.
   */
  reconfigure(config: HomeostatConfig): void {
    const before = this.options.config;
    this.options.config = config;
    const definition = (of: HomeostatConfig, name: string) => {
      const rule = of.symptoms[name];
      return canonicalJson(rule ? [rule, of.services[rule.service]?.maxMemory ?? null] : null);
    };
    for (const key of [...this.rules.keys()]) {
      const name = key.slice(0, key.indexOf('|'));
      if (definition(before, name) !== definition(config, name)) this.rules.delete(key);
    }
    for (const timer of this.scrapeTimers) clearInterval(timer);
    this.scrapeTimers = [];
    if (this.running) this.startScrapes();
  }

  private startScrapes(): void {
    for (const target of this.options.config.monitor.scrape) {
      let busy = false;
      const tick = async () => {
        if (busy) return;
        busy = true;
        try {
          if (target.service !== undefined) {
            await this.scrape(target.service, target.path, { maxBodyBytes: target.maxBodyBytes, maxSeries: target.maxSeries, timeoutMs: target.timeout });
            this.evaluate(target.service, this.clock.now());
          } else {
            await this.scrapeStatic(target);
          }
        } finally {
          busy = false;
        }
      };
      const timer = setInterval(() => void tick(), target.every);
      timer.unref();
      this.scrapeTimers.push(timer);
    }
  }

  stop(): void {
    this.running = false;
    for (const timer of [...this.timers, ...this.scrapeTimers]) clearInterval(timer);
    this.timers.length = 0;
    this.scrapeTimers = [];
    this.abort.abort();
  }

  /** Scrape every replica of `service` once; each replica is its own source, with its own limits. */
  async scrape(service: string, path: string, limits: { maxBodyBytes?: number; maxSeries?: number; timeoutMs?: number } = {}): Promise<void> {
    const endpoints = this.options.endpoints(service).filter((e) => e.port !== null);
    await Promise.all(
      endpoints.map(async (endpoint) => {
        const target = { url: `http://127.0.0.1:${endpoint.port}${path}`, labels: { service, instance: endpoint.instance }, name: endpoint.instance, timeoutMs: 1_000, source: `scrape:${endpoint.instance}`, ...limits };
        const result = await scrapeOnce(target, this.series, this.clock, this.abort.signal);
        recordTargetHealth(result, this.series, this.clock.now());
        this.options.onScrape?.(result);
      }),
    );
  }

  /**
   * Scrape one static (`url:`) target, then evaluate the rules of the elements its series
   * may belong to: its `element`, and with `elementFrom` every rule's element not supervised here.
   */
  async scrapeStatic(config: ScrapeTargetConfig): Promise<void> {
    const result = await scrapeOnce(staticScrapeTarget(config), this.series, this.clock, this.abort.signal);
    recordTargetHealth(result, this.series, this.clock.now());
    this.options.onScrape?.(result);
    const { services, symptoms } = this.options.config;
    const elements = new Set([config.element!]);
    if (config.elementFrom) for (const rule of Object.values(symptoms)) if (!services[rule.service]) elements.add(rule.service);
    const now = this.clock.now();
    for (const element of elements) this.evaluate(element, now);
  }

  /**
   * Whether rule `name` is firing or about to (pending) on any series of `service`:
   * verification re-checks a metric symptom against its rule until it clears.
   */
  isFiring(name: string, service: string): boolean {
    if (this.options.config.symptoms[name]?.service !== service) return false;
    for (const [key, rule] of this.rules) if (key.startsWith(`${name}|`) && rule.state !== 'ok') return true;
    return false;
  }

  /** Any metric rule firing or pending (a config version is not healthy while one is). */
  anyFiring(): boolean {
    for (const rule of this.rules.values()) if (rule.state !== 'ok') return true;
    return false;
  }

  /**
   * The rules firing now, one entry per rule and service (however many of its series fire):
   * homeostat's `/metrics` renders them, so their number is bounded by the config's rules.
   */
  firingRules(): { rule: string; element: string }[] {
    const firing = new Set<string>();
    for (const [key, state] of this.rules) if (state.state === 'firing') firing.add(key.slice(0, key.indexOf('|')));
    return [...firing].flatMap((rule) => {
      const service = this.options.config.symptoms[rule]?.service;
      return service ? [{ rule, element: service }] : [];
    });
  }

  /** Evaluate the `symptoms:` rules of `service` over what has been scraped. */
  evaluate(service: string, now: number): void {
    for (const [name, any] of Object.entries(this.options.config.symptoms)) {
      // PromQL rules read their series from Prometheus (promql-watch.ts), not from scrapes.
      if (any.service !== service || !isSeriesRule(any)) continue;
      const rule = any;
      if (rule.absent !== undefined) this.evaluateAbsence(name, rule, service, now);
      else if (rule.ratio) {
        for (const reading of ratioReadings(this.series, rule, service, now)) {
          this.step(name, rule, service, `ratio:${reading.instance ?? ''}`, reading.instance, now, now, reading.value, { numerator: reading.numerator, denominator: reading.denominator ?? null });
        }
      } else {
        for (const id of this.series.find(rule.metric, { ...rule.labels, service })) {
          // Detectors see every sample once: a rule evaluated between scrapes reads the same point again.
          const at = rule.aggregate === 'value' ? this.series.latest(id.key)?.at : now;
          if (at === undefined) continue;
          this.step(name, rule, service, id.key, id.labels.instance, at, now, seriesReading(this.series, id.key, rule, now));
        }
      }
    }
  }

  /** One rule over one series (or one instance's ratio): update its state, raise or clear the symptom. */
  private step(name: string, rule: SeriesRuleConfig, service: string, seriesKey: string, instance: string | undefined, at: number, now: number, value: number | undefined, extra: Record<string, unknown> = {}): void {
    const stateKey = `${name}|${seriesKey}`;
    let state = this.rules.get(stateKey) as ValueRule | undefined;
    if (!state) {
      state = this.ruleFor(rule);
      this.rules.set(stateKey, state);
    }
    if (state.lastAt !== undefined && at <= state.lastAt && !(state instanceof ThresholdRule)) return;
    state.lastAt = at;
    const change = state.update(at, value);
    if (change === 'fired' && value !== undefined) {
      const { message, detail } = describe(rule, state, value);
      this.options.observe({
        name,
        element: service,
        ...(instance ? { instance } : {}),
        at: now,
        labels: { metric: rule.metric, aggregate: rule.ratio ? 'ratio' : rule.aggregate, kind: kindOf(rule) },
        // NaN and ±Inf as Prometheus writes them: JSON would store them as null.
        signal: { kind: 'metric-rule', rule: name, metric: rule.metric, series: seriesKey, value: sampleValueJson(value), message, ...detail, ...extra },
      });
    } else if (change === 'cleared' && value !== undefined) {
      this.options.onCleared?.(name, instance ?? service, value);
    }
  }

  /** An `absent` rule watches its whole selector: any matching series' sample counts as present. */
  private evaluateAbsence(name: string, rule: SeriesRuleConfig, service: string, now: number): void {
    const stateKey = `${name}|absent`;
    let state = this.rules.get(stateKey) as AbsenceRule | undefined;
    if (!state) {
      state = new AbsenceRule(rule.absent!, now);
      this.rules.set(stateKey, state);
    }
    let latest: number | undefined;
    for (const id of this.series.find(rule.metric, { ...rule.labels, service })) {
      const at = this.series.latest(id.key)?.at;
      if (at !== undefined && (latest === undefined || at > latest)) latest = at;
    }
    const silentSince = state.lastSeenAt;
    const change = state.update(now, latest);
    if (change === 'fired') {
      const selector = `${rule.metric}${Object.keys(rule.labels).length > 0 ? JSON.stringify(rule.labels) : ''}`;
      this.options.observe({
        name,
        element: service,
        at: now,
        labels: { metric: rule.metric, aggregate: 'value', kind: 'absent' },
        signal: { kind: 'metric-rule', rule: name, metric: rule.metric, series: selector, value: 0, message: `no samples of ${selector} for ${Math.round((now - silentSince) / 1_000)} s (absent after ${rule.absent} ms)`, absentMs: rule.absent, lastSampleAt: latest ?? null },
      });
    } else if (change === 'cleared') {
      this.options.onCleared?.(name, service, 1);
    }
  }

  private ruleFor(rule: SymptomRuleConfig): ValueRule {
    if (rule.detector) {
      return new ScoreRule(createDetector(rule.detector.config), { raiseAt: rule.raiseAt ?? 0.999, clearBelow: rule.clearBelow ?? 0.99, forMs: rule.for, clearForMs: rule.clearFor });
    }
    if (rule.trend) {
      const limit = rule.trend.limit === 'maxMemory' ? (this.options.config.services[rule.service]?.maxMemory ?? Number.POSITIVE_INFINITY) : rule.trend.limit;
      return new TrendRule({ limit, withinMs: rule.trend.within, direction: rule.trend.direction, window: rule.trend.window, minSamples: rule.trend.minSamples, minFit: rule.trend.minFit });
    }
    if (rule.below !== undefined) return new ThresholdRule({ below: rule.below, ...(rule.clearAbove !== undefined ? { clearAbove: rule.clearAbove } : {}), forMs: rule.for });
    return new ThresholdRule({ above: rule.above!, ...(rule.clearBelow !== undefined ? { clearBelow: rule.clearBelow } : {}), forMs: rule.for });
  }
}

/** A rule over scraped or pushed series (not a PromQL `query`): it names its metric. */
export type SeriesRuleConfig = SymptomRuleConfig & { metric: string };

export function isSeriesRule(rule: SymptomRuleConfig): rule is SeriesRuleConfig {
  return rule.metric !== undefined;
}

/** One rule's state over one series (threshold, detector score, or trend), or over a selector (absence). */
type SeriesRule = ValueRule | AbsenceRule;

/** A rule over the values of one series (threshold, detector score, or trend). */
type ValueRule = (ThresholdRule | ScoreRule | TrendRule) & { lastAt?: number };

/** The `kind` label of a rule's symptom. */
function kindOf(rule: SymptomRuleConfig): string {
  if (rule.detector) return 'detector';
  if (rule.trend) return 'trend';
  if (rule.absent !== undefined) return 'absent';
  return rule.below !== undefined ? 'below' : 'threshold';
}

/** The symptom's message and the numbers behind it. */
function describe(rule: SeriesRuleConfig, state: ValueRule, value: number): { message: string; detail: Record<string, unknown> } {
  const rate = rule.aggregate === 'rate' ? ` rate over ${rule.window} ms` : '';
  const what = rule.ratio ? `${rule.metric}${rate} ÷ ${rule.ratio.metric}${rate}` : `${rule.metric}${rate}`;
  if (state instanceof ScoreRule) {
    return {
      message: `${what} is ${round(value)}: ${rule.detector!.name} anomaly score ${state.lastScore.toFixed(4)} ≥ ${rule.raiseAt ?? 0.999} for ${state.samplesToRaise} samples`,
      detail: { detector: rule.detector!.name, score: state.lastScore, raiseAt: rule.raiseAt ?? 0.999, samples: state.samplesToRaise },
    };
  }
  if (state instanceof TrendRule) {
    const forecast = state.forecast;
    const left = forecast ? forecast.timeToLimitMs : 0;
    return {
      message: `${what} is ${round(value)} and ${left === 0 ? 'has reached' : `reaches`} its limit ${round(forecastLimit(rule, state))}${left === 0 ? '' : ` in ${formatLeft(left)}`} (trend ${forecast ? round(forecast.slopePerSecond) : '?'}/s, fit ${forecast ? forecast.fit.toFixed(2) : '?'})`,
      detail: { predictive: true, timeToLimitMs: Math.round(left), crossesAt: forecast ? Math.round(forecast.crossesAt) : null },
    };
  }
  if (rule.below !== undefined) return { message: `${what} is ${round(value)}, below ${rule.below}`, detail: { below: rule.below } };
  return { message: `${what} is ${round(value)}, above ${rule.above}`, detail: { above: rule.above } };
}

function forecastLimit(rule: SeriesRuleConfig, state: TrendRule): number {
  return state.limit ?? (typeof rule.trend?.limit === 'number' ? rule.trend.limit : Number.NaN);
}

function formatLeft(ms: number): string {
  return ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1_000).toFixed(1)} s`;
}

function round(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
