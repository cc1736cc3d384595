import { sampleValueJson } from '../monitor/sample-value-json.js';
import type { HomeostatConfig } from '../config/schema/root.js';
import type { SymptomRuleConfig } from '../config/schema/symptom-rules.js';
import type { Symptom } from '../analyze/symptom.js';
import { ThresholdRule } from '../analyze/threshold-rule.js';
import { DEFAULT_CHECK_STEP } from '../config/schema/verify-checks.js';
import { instantQuery, rangeQuery, type QueryAnswer, type RangeAnswer, type RangeWindow } from '../monitor/prometheus-query.js';
import { seriesKey } from '../monitor/time-series.js';
import { canonicalJson } from '../knowledge/canonical-json.js';
import { systemClock, type Clock } from '../resilience/clock.js';

export interface PromqlWatchOptions {
  config: HomeostatConfig;
  /** Where a fired rule goes (the loop's `observe`). */
  observe: (symptom: Symptom) => void;
  clock?: Pick<Clock, 'now'>;
  /** Each query's outcome (`ok` or `failed`), and the error of a failed one (counted and logged by the runtime). */
  onQuery?: (rule: string, outcome: 'ok' | 'failed', error?: string) => void;
  onCleared?: (rule: string, series: string, value: number | undefined) => void;
  /** Replaces the HTTP query (tests). */
  query?: (baseUrl: string, query: string, timeoutMs: number, signal: AbortSignal) => Promise<QueryAnswer>;
  /** Replaces the HTTP range query (tests). */
  rangeQuery?: (baseUrl: string, query: string, window: RangeWindow, timeoutMs: number, signal: AbortSignal) => Promise<RangeAnswer>;
}

/** One PromQL rule's state: a threshold per answered series, and whether the last query answered. */
interface RuleState {
  series: Map<string, ThresholdRule>;
  /** False until a query answered, and after a failed one: the rule is unknown, not healthy. */
  known: boolean;
  /** The last failed query's error, while the rule is unknown. */
  error?: string;
  definition: string;
}

/**
 * PromQL symptom rules (`symptoms.<rule>.query`): every `every`, the instant query (or,
 * with `range`, the range query read as its least extreme points) runs against
 * `prometheus.url`, and each series of the answer goes through a
 * {@link ThresholdRule} (`above`/`below`, `for`, hysteresis) like a scraped series; a fired
 * one is a symptom on the rule's service, with the series' labels. A series missing from a
 * later answer is over (as a Prometheus alert resolves): cleared if it fired. A failed
 * query changes no state and makes the rule unknown — `isFiring` says true, so
 * verification never reads a Prometheus that is down as "healthy" — until one answers.
 *
 * @example
 * const promql = new PromqlWatch({ config, observe: (s) => loop.observe(s) }); promql.start();
 * @example await promql.evaluate('api-error-ratio') // one query now (tests)
 */
export class PromqlWatch {
  private readonly clock: Pick<Clock, 'now'>;
  private readonly rules = new Map<string, RuleState>();
  private timers: NodeJS.Timeout[] = [];
  private running = false;
  private readonly abort = new AbortController();

  constructor(private readonly options: PromqlWatchOptions) {
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    this.running = true;
    this.startTimers();
  }

  stop(): void {
    this.running = false;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.abort.abort();
  }

  /** A new config version: changed or removed rules start over (unknown), the timers follow the new `every`s. */
  reconfigure(config: HomeostatConfig): void {
    this.options.config = config;
    for (const [name, state] of this.rules) if (state.definition !== definitionOf(config, name)) this.rules.delete(name);
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (this.running) this.startTimers();
  }

  private startTimers(): void {
    for (const [name, rule] of Object.entries(this.options.config.symptoms)) {
      if (rule.query === undefined) continue;
      let busy = false;
      const tick = async () => {
        if (busy) return;
        busy = true;
        try {
          await this.evaluate(name);
        } finally {
          busy = false;
        }
      };
      const timer = setInterval(() => void tick(), rule.every);
      timer.unref();
      this.timers.push(timer);
      void tick();
    }
  }

  /** Run rule `name`'s query once and update its series. */
  async evaluate(name: string): Promise<void> {
    const { config } = this.options;
    const rule = config.symptoms[name];
    if (rule?.query === undefined || !config.prometheus) return;
    const answer = rule.range === undefined ? await (this.options.query ?? instantQuery)(config.prometheus.url, rule.query, config.prometheus.timeout, this.abort.signal) : await this.rangeAnswer(rule, config.prometheus);
    if (this.options.config.symptoms[name] !== rule) return; // reconfigured meanwhile: the answer is for an old rule
    let state = this.rules.get(name);
    if (!state) {
      state = { series: new Map(), known: false, definition: definitionOf(config, name) };
      this.rules.set(name, state);
    }
    if (!answer.ok) {
      state.known = false;
      state.error = answer.error;
      this.options.onQuery?.(name, 'failed', answer.error);
      return;
    }
    state.known = true;
    delete state.error;
    this.options.onQuery?.(name, 'ok');
    const now = this.clock.now();
    const answered = new Set<string>();
    for (const series of answer.series) {
      const key = seriesKey(name, series.labels);
      answered.add(key);
      let threshold = state.series.get(key);
      if (!threshold) {
        threshold = thresholdFor(rule);
        state.series.set(key, threshold);
      }
      const change = threshold.update(now, series.value);
      if (change === 'fired') {
        const level = rule.below !== undefined ? `below ${rule.below}` : `above ${rule.above}`;
        this.options.observe({
          name,
          element: rule.service,
          at: now,
          labels: { kind: rule.below !== undefined ? 'below' : 'threshold', aggregate: 'promql' },
          signal: { kind: 'metric-rule', rule: name, query: rule.query, series: key, seriesLabels: series.labels, value: sampleValueJson(series.value), message: `PromQL ${rule.query}${rule.range !== undefined ? ` over the last ${rule.range / 1_000} s` : ''} is ${series.value} for ${canonicalJson(series.labels)}, ${level}` },
        });
      } else if (change === 'cleared') {
        this.options.onCleared?.(name, key, series.value);
      }
    }
    for (const [key, threshold] of state.series) {
      if (answered.has(key)) continue;
      state.series.delete(key);
      if (threshold.state === 'firing') this.options.onCleared?.(name, key, undefined);
    }
  }

  /**
   * A range rule's answer as an instant one: each series' least extreme point over the last
   * `range` — the lowest for an `above` rule, the highest for a `below` one — so the
   * threshold fires only when every point of the window is past it. A NaN point makes the
   * series' value NaN (no value: its state is held); a series without points is left out.
   */
  private async rangeAnswer(rule: SymptomRuleConfig, prometheus: NonNullable<HomeostatConfig['prometheus']>): Promise<QueryAnswer> {
    const endMs = this.clock.now();
    const window: RangeWindow = { startMs: endMs - rule.range!, endMs, stepMs: rule.step ?? Math.min(DEFAULT_CHECK_STEP, rule.range!) };
    const answer = await (this.options.rangeQuery ?? rangeQuery)(prometheus.url, rule.query!, window, prometheus.timeout, this.abort.signal);
    if (!answer.ok) return answer;
    const pick = rule.below !== undefined ? Math.max : Math.min;
    return {
      ok: true,
      series: answer.series.filter((series) => series.samples.length > 0).map((series) => ({ labels: series.labels, value: series.samples.some(([, v]) => Number.isNaN(v)) ? Number.NaN : pick(...series.samples.map(([, v]) => v)) })),
    };
  }

  /** Whether rule `name` of `service` fires, is pending, or is unknown (never answered, or its last query failed). */
  isFiring(name: string, service: string): boolean {
    const rule = this.options.config.symptoms[name];
    if (rule?.query === undefined || rule.service !== service) return false;
    const state = this.rules.get(name);
    if (!state || !state.known) return true;
    return [...state.series.values()].some((threshold) => threshold.state !== 'ok');
  }

  /**
   * Why rule `name` of `service` is unknown now — its last query failed (the error), or none
   * answered yet — or undefined when it is known (or not a PromQL rule of that service).
   */
  unknownReason(name: string, service: string): string | undefined {
    const rule = this.options.config.symptoms[name];
    if (rule?.query === undefined || rule.service !== service) return undefined;
    const state = this.rules.get(name);
    if (!state) return 'its query has not been answered yet';
    return state.known ? undefined : `its query failed: ${state.error ?? 'no answer yet'}`;
  }

  /** The PromQL rules firing now (known and firing on a series). */
  firingRules(): { rule: string; element: string }[] {
    const firing: { rule: string; element: string }[] = [];
    for (const [name, state] of this.rules) {
      const service = this.options.config.symptoms[name]?.service;
      if (service && [...state.series.values()].some((threshold) => threshold.state === 'firing')) firing.push({ rule: name, element: service });
    }
    return firing;
  }
}

function thresholdFor(rule: SymptomRuleConfig): ThresholdRule {
  if (rule.below !== undefined) return new ThresholdRule({ below: rule.below, ...(rule.clearAbove !== undefined ? { clearAbove: rule.clearAbove } : {}), forMs: rule.for });
  return new ThresholdRule({ above: rule.above!, ...(rule.clearBelow !== undefined ? { clearBelow: rule.clearBelow } : {}), forMs: rule.for });
}

function definitionOf(config: HomeostatConfig, name: string): string {
  return canonicalJson([config.symptoms[name] ?? null, config.prometheus ?? null]);
}
