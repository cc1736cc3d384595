import { PROVIDER_DEGRADED, PROVIDER_RECOVERED, providerElement, providerOf } from '../analyze/provider-element.js';
import { breaches, readProvider, type ProviderAttempt, type ProviderReading } from '../analyze/provider-readings.js';
import type { Symptom } from '../analyze/symptom.js';
import { ThresholdRule } from '../analyze/threshold-rule.js';
import type { ModelsConfig } from '../config/schema/models.js';
import type { ProviderElementConfig } from '../config/schema/provider-element.js';
import { probeProvider, type ProbeOptions, type ProbeResult } from '../model/provider-probe.js';
import type { TimeSeriesStore } from '../monitor/time-series.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import type { ModelProviderStateRecord } from '../store/records.js';
import type { ModelStore } from '../store/ports/model-store.js';

export interface ProviderWatchOptions {
  /** The applied config's `models:` section (read at every poll: a new version is followed). */
  models: () => ModelsConfig;
  store: Pick<ModelStore, 'listSettledModelAttempts' | 'listModelProviderStates'>;
  /** Where the providers' series go (the monitor's store: the diagnoser and the API read them there). */
  series: TimeSeriesStore;
  /** Where a symptom goes (the loop's, through the intake). */
  observe: (symptom: Symptom) => void;
  /** Only the leader probes drained providers: one prober per store, not one per node. */
  isLeader: () => boolean;
  clock?: Clock;
  /** How often the store is read (default 1 s). */
  everyMs?: number;
  env?: Record<string, string | undefined>;
  /** A probe call (default {@link probeProvider}: a real request over the wire format). */
  probe?: (options: ProbeOptions) => Promise<ProbeResult>;
  onError?: (error: unknown) => void;
}

/** A provider element's series at the last poll; `reading` is undefined when its window held no attempt. */
export interface LatestReading {
  provider: string;
  drained: boolean;
  reading: ProviderReading | undefined;
}

/** Attempts kept in memory at most (the windows are read from them). */
const MAX_KEPT = 20_000;
/** Outcomes that are no call to the provider: a lost hedge, a breaker's refusal, a dead execution's reservation. */
const NOT_CALLS = new Set(['hedge-lost', 'circuit-open', 'abandoned']);

/** One provider's state in the watch. */
interface Watched {
  rule: ThresholdRule;
  probing: { nextAt: number; successes: number } | undefined;
}

/**
 * Model providers as elements of the loop (`provider:<name>`): every `everyMs` the settled
 * model attempts are read from the store — whichever process made them: `up`'s own
 * workflows or separate `homeostat worker`s — and each provider with `element:` gets
 * series over its `window` (`homeostat_model_provider_*{service="provider:<name>"}` in the
 * monitor's store). A breach of `degradedWhen` (with `minAttempts`, held `for`) raises
 * `model-provider-degraded`; the window starts again at each drain and restore. While the store says a provider is drained, the leader probes
 * it every `probe.every`; `probe.successes` answers in a row raise `model-provider-recovered`.
 *
 * Verification reads {@link cleared}: what the callers see — the attempts their calls make
 * now, on the links of the chains the provider is in that are not drained, since the last
 * drain or restore — not the drained provider's own silence.
 *
 * @example const watch = new ProviderWatch({ models: () => live.config.models, store, series, observe, isLeader }); watch.start();
 * @example await watch.poll(); watch.cleared('provider:openai', 'model-provider-degraded') // false until the chain's other links answer
 */
export class ProviderWatch {
  private readonly clock: Clock;
  private readonly attempts: ProviderAttempt[] = [];
  private readonly seen = new Set<number>();
  private readonly watched = new Map<string, Watched>();
  private states = new Map<string, ModelProviderStateRecord>();
  /** Each provider element's last series values, for `/metrics` (see {@link latestReadings}). */
  private readonly latest = new Map<string, LatestReading>();
  private cursor: number;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly abort = new AbortController();

  constructor(private readonly options: ProviderWatchOptions) {
    this.clock = options.clock ?? systemClock;
    // Attempts that finished before the watch started are history: no symptom is raised from them.
    this.cursor = this.clock.now();
  }

  start(): void {
    this.timer = setInterval(() => void this.poll().catch((error: unknown) => this.options.onError?.(error)), this.options.everyMs ?? 1_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
  }

  /** Read the store, update the series and rules, raise symptoms, probe drained providers. */
  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const models = this.options.models();
      // No provider is an element: nothing to read (an `up` without model elements never touches the tables).
      if (!Object.values(models.providers).some((provider) => provider.element)) {
        this.cursor = this.clock.now();
        return;
      }
      await this.read(models);
      const now = this.clock.now();
      for (const [name, provider] of Object.entries(models.providers)) {
        if (!provider.element) continue;
        await this.evaluate(name, provider.element, models, now);
      }
    } finally {
      this.busy = false;
    }
  }

  /**
   * The values the last poll wrote to each provider element's series (a provider no longer
   * an element in the applied config is left out): what `/metrics` serves, so a Prometheus
   * sees what the loop judged on.
   */
  latestReadings(): LatestReading[] {
    const providers = this.options.models().providers;
    return [...this.latest.values()].filter((latest) => providers[latest.provider]?.element !== undefined);
  }

  /** Whether provider `name` is drained, as the store said at the last poll. */
  isDrained(name: string): boolean {
    return this.states.get(name)?.drained === true;
  }

  /**
   * Whether a provider symptom has cleared, for verification: the callers' attempts since
   * the provider's last drain or restore (within its window) — on the links of its chains
   * that are not drained — number at least `minAttempts` and breach none of its limits;
   * `model-provider-recovered` also needs the provider back in its chains. False for an
   * element that is no provider with `element:`.
   */
  cleared(element: string, symptom: string): boolean {
    const name = providerOf(element);
    const provider = name === undefined ? undefined : this.options.models().providers[name];
    if (name === undefined || !provider?.element) return false;
    if (symptom === PROVIDER_RECOVERED && this.isDrained(name)) return false;
    const reading = this.callersReading(name, provider.element, this.options.models(), this.clock.now());
    return reading !== undefined && reading.attempts >= provider.element.minAttempts && breaches(reading, provider.element.degradedWhen).length === 0;
  }

  /** What the callers of `name` see now (see {@link cleared}), or undefined without attempts. */
  callersReading(name: string, element: ProviderElementConfig, models: ModelsConfig, now: number): ProviderReading | undefined {
    const changedAt = this.states.get(name)?.changedAt ?? Number.NEGATIVE_INFINITY;
    const since = Math.max(now - element.window, changedAt);
    const links = new Set<string>([name]);
    for (const chain of Object.values(models.chains)) if (chain.some((link) => link.provider === name)) for (const link of chain) links.add(link.provider);
    for (const link of links) if (this.isDrained(link)) links.delete(link);
    return readProvider(this.attempts.filter((a) => a.finishedAt >= since && links.has(a.provider)));
  }

  private async read(models: ModelsConfig): Promise<void> {
    const longest = Math.max(0, ...Object.values(models.providers).map((p) => p.element?.window ?? 0));
    // Settled a little late by another process (its clock, its commit): read back a second, once per id.
    const found = await this.options.store.listSettledModelAttempts(this.cursor - 1_000, 5_000);
    for (const record of found) {
      if (this.seen.has(record.id) || record.finishedAt === null || record.outcome === null || NOT_CALLS.has(record.outcome)) continue;
      this.seen.add(record.id);
      this.attempts.push({ provider: record.provider, outcome: record.outcome, latencyMs: record.latencyMs ?? 0, finishedAt: record.finishedAt });
    }
    const last = found.at(-1)?.finishedAt;
    if (last != null && last > this.cursor) this.cursor = last;
    const keepFrom = this.clock.now() - longest;
    while (this.attempts.length > 0 && (this.attempts[0]!.finishedAt < keepFrom || this.attempts.length > MAX_KEPT)) this.attempts.shift();
    if (this.seen.size > 4 * MAX_KEPT) this.seen.clear();
    const before = this.states;
    this.states = new Map((await this.options.store.listModelProviderStates()).map((state) => [state.provider, state]));
    for (const [name, watched] of this.watched) {
      // Drained or restored since the last poll: its rule starts over, so a relapse after a restore fires again.
      if (before.get(name)?.changedAt !== this.states.get(name)?.changedAt) this.watched.set(name, { ...watched, rule: newRule(this.options.models().providers[name]?.element), probing: undefined });
    }
  }

  private async evaluate(name: string, element: ProviderElementConfig, models: ModelsConfig, now: number): Promise<void> {
    let watched = this.watched.get(name);
    if (!watched) {
      watched = { rule: newRule(element), probing: undefined };
      this.watched.set(name, watched);
    }
    // Since the last drain or restore at most: a restored provider is not judged again on the failures that drained it.
    const since = Math.max(now - element.window, this.states.get(name)?.changedAt ?? Number.NEGATIVE_INFINITY);
    const own = readProvider(this.attempts.filter((a) => a.provider === name && a.finishedAt >= since));
    this.record(name, own, now);
    if (this.isDrained(name)) {
      await this.probeDrained(name, element, models, watched, now);
      return;
    }
    const enough = own !== undefined && own.attempts >= element.minAttempts ? own : undefined;
    const found = enough ? breaches(enough, element.degradedWhen) : [];
    const change = watched.rule.update(now, enough ? found.length : undefined);
    if (change === 'fired' && enough) {
      this.options.observe({
        name: PROVIDER_DEGRADED,
        element: providerElement(name),
        at: now,
        labels: { provider: name, kind: 'model-provider' },
        signal: { kind: 'model-provider', provider: name, ...enough, message: `${name} over the last ${Math.round(element.window / 1_000)} s: ${found.join('; ')}` },
      });
    }
  }

  private async probeDrained(name: string, element: ProviderElementConfig, models: ModelsConfig, watched: Watched, now: number): Promise<void> {
    const probe = element.probe;
    if (!probe || !this.options.isLeader()) return;
    watched.probing ??= { nextAt: now, successes: 0 };
    if (now < watched.probing.nextAt) return;
    watched.probing.nextAt = now + probe.every;
    const config = models.providers[name]!;
    const result = await (this.options.probe ?? probeProvider)({ provider: name, config, model: probe.model, timeoutMs: probe.timeout, env: this.options.env ?? process.env, signal: this.abort.signal });
    watched.probing.successes = result.ok ? watched.probing.successes + 1 : 0;
    if (watched.probing.successes < probe.successes) return;
    // Said again after as many more answers while it stays drained (a restore that did not happen is asked for again).
    watched.probing.successes = 0;
    this.options.observe({
      name: PROVIDER_RECOVERED,
      element: providerElement(name),
      at: this.clock.now(),
      labels: { provider: name, kind: 'model-provider' },
      signal: { kind: 'model-provider', provider: name, message: `${name} is drained and answered ${probe.successes} probes in a row (${probe.model}; last ${result.detail})` },
    });
  }

  /** The provider's series in the monitor's store (a window without attempts writes only `drained`). */
  private record(name: string, reading: ProviderReading | undefined, now: number): void {
    const labels = { service: providerElement(name), provider: name };
    const { series } = this.options;
    this.latest.set(name, { provider: name, drained: this.isDrained(name), reading });
    series.append('homeostat_model_provider_drained', labels, this.isDrained(name) ? 1 : 0, now);
    if (!reading) return;
    series.append('homeostat_model_provider_attempts', labels, reading.attempts, now);
    series.append('homeostat_model_provider_error_ratio', labels, reading.errorRatio, now);
    series.append('homeostat_model_provider_rate_limited_ratio', labels, reading.rateLimitedRatio, now);
    series.append('homeostat_model_provider_invalid_output_ratio', labels, reading.invalidOutputRatio, now);
    series.append('homeostat_model_provider_latency_p50_ms', labels, reading.latencyP50Ms, now);
  }
}

/** The degraded rule: the number of limits breached, above 0 for `for`. */
function newRule(element: ProviderElementConfig | undefined): ThresholdRule {
  return new ThresholdRule({ above: 0, forMs: element?.for ?? 0 });
}
