import type { AutoscaleConfig } from '../config/schema/autoscale.js';
import type { HomeostatConfig } from '../config/schema/root.js';
import type { ElementControl } from '../execute/element-control.js';
import { verifyHealthy } from '../execute/verify-health.js';
import type { TimeSeriesStore } from '../monitor/time-series.js';
import type { Guardrails } from '../plan/guardrails.js';
import { ScaleRecommender, type ScaleDecision } from '../plan/scale-recommendation.js';
import { systemClock, type Clock } from '../resilience/clock.js';

/** Who the audit names for the autoscaler's decisions. */
export const AUTOSCALE_ACTOR = 'controller:autoscale';

export interface AutoscalerOptions {
  /** The config version applied now: which services autoscale, and how. */
  config: () => HomeostatConfig;
  /** Scraped series: the metric per replica (`{service, instance}` labels). */
  series: Pick<TimeSeriesStore, 'find' | 'latest'>;
  /** This node's processes. */
  control: ElementControl;
  guardrails: Pick<Guardrails, 'check'>;
  audit: (actor: string, action: string, target: string, data: Record<string, unknown>) => Promise<unknown>;
  /** Only the leader scales: two nodes must not both act on one recommendation. */
  isLeader: () => boolean;
  say?: (line: string) => void;
  onError?: (error: unknown, service: string) => void;
  /** After a scale, the service must be healthy this long … (default 2 s) */
  healthyForMs?: number;
  /** … within this long (default 60 s), else `autoscale.unverified` is audited. */
  verifyTimeoutMs?: number;
  clock?: Clock;
}

/**
 * Replicas from load, like the Kubernetes HPA: every `autoscale.every`, the latest value of
 * `autoscale.metric` from each replica is averaged, {@link ScaleRecommender} turns it into a
 * decision (stabilized, stepped, cooled down), and the decision goes through the same
 * guardrails as a remediation (a pause or dry-run stops it; it charges no repair budget and
 * touches no replica under repair), is audited as `autoscale.scaled` by
 * `controller:autoscale` with its reason, carried out, and verified: the service healthy for
 * `healthyForMs` within `verifyTimeoutMs` (`autoscale.verified` or `autoscale.unverified`).
 *
 * @example const scaler = new Autoscaler({ config: () => live.config, series, control, guardrails, audit, isLeader }); scaler.start(); … scaler.stop();
 */
export class Autoscaler {
  private readonly recommenders = new Map<string, { config: AutoscaleConfig; recommender: ScaleRecommender; dueAt: number; deniedTo?: number }>();
  private readonly verifying = new Set<Promise<unknown>>();
  private readonly clock: Clock;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly stopping = new AbortController();

  constructor(private readonly options: AutoscalerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), 250);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort(new Error('the autoscaler is stopping'));
    await Promise.allSettled([...this.verifying]);
  }

  /** One pass over the autoscaled services whose `every` is due (exposed for tests). */
  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const now = this.clock.now();
      for (const [service, autoscale] of this.autoscaled()) {
        const entry = this.entryFor(service, autoscale, now);
        if (now < entry.dueAt) continue;
        entry.dueAt = now + autoscale.every;
        if (!this.options.isLeader()) continue;
        try {
          await this.evaluate(service, entry, now);
        } catch (error) {
          this.options.onError?.(error, service);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  /** The average of the metric over the replicas reporting it recently; undefined when none does. */
  average(service: string, autoscale: AutoscaleConfig, now: number): number | undefined {
    const instances = new Set(this.options.control.instances(service));
    const scrapeEvery = this.options.config().monitor.scrape.find((target) => target.service === service)?.every ?? autoscale.every;
    const freshAfter = now - 3 * Math.max(scrapeEvery, autoscale.every);
    const values: number[] = [];
    for (const id of this.options.series.find(autoscale.metric, { service })) {
      const instance = id.labels.instance;
      if (instance === undefined || !instances.has(instance)) continue;
      const latest = this.options.series.latest(id.key);
      if (latest && latest.at >= freshAfter && Number.isFinite(latest.value)) values.push(latest.value);
    }
    return values.length === 0 ? undefined : values.reduce((sum, v) => sum + v, 0) / values.length;
  }

  private autoscaled(): [string, AutoscaleConfig][] {
    const found: [string, AutoscaleConfig][] = [];
    for (const [service, definition] of Object.entries(this.options.config().services)) if (definition.autoscale && definition.command !== undefined) found.push([service, definition.autoscale]);
    for (const service of this.recommenders.keys()) if (!found.some(([name]) => name === service)) this.recommenders.delete(service);
    return found;
  }

  private entryFor(service: string, autoscale: AutoscaleConfig, now: number) {
    let entry = this.recommenders.get(service);
    if (!entry) {
      entry = { config: autoscale, recommender: new ScaleRecommender(autoscale), dueAt: now };
      this.recommenders.set(service, entry);
    } else if (entry.config !== autoscale) {
      entry.config = autoscale;
      entry.recommender.reconfigure(autoscale);
    }
    return entry;
  }

  private async evaluate(service: string, entry: { config: AutoscaleConfig; recommender: ScaleRecommender; deniedTo?: number }, now: number): Promise<void> {
    const { control, guardrails, audit } = this.options;
    const current = control.instances(service).length;
    const decision = entry.recommender.decide(now, current, this.average(service, entry.config, now));
    if (!decision) return;
    // No replica is touched by adding or removing capacity the way a repair touches one: no
    // blast radius, no repair budget — but a pause, the dry-run switch and an open breaker hold.
    const guard = await guardrails.check({ service, replicas: current, dryRun: false, instances: [], chargeBudget: false });
    const data = { from: current, to: decision.replicas, reason: decision.reason, guards: guard.results };
    if (!guard.allowed || guard.dryRun) {
      // Said once per wanted count, not at every evaluation while a pause lasts.
      if (entry.deniedTo === decision.replicas) return;
      entry.deniedTo = decision.replicas;
      await audit(AUTOSCALE_ACTOR, guard.allowed ? 'autoscale.dry-run' : 'autoscale.denied', service, data);
      this.options.say?.(`autoscale: ${service} ${current} → ${decision.replicas} replicas ${guard.allowed ? 'recorded, not done (dry-run)' : `held by the guardrails (${guard.results.filter((r) => !r.ok).map((r) => r.detail).join('; ')})`}`);
      return;
    }
    entry.deniedTo = undefined;
    await audit(AUTOSCALE_ACTOR, 'autoscale.scaled', service, data);
    await control.scale(service, decision.replicas);
    entry.recommender.scaled(decision.direction, now);
    this.options.say?.(`autoscale: ${service} ${current} → ${decision.replicas} replicas (${decision.reason})`);
    this.verify(service, decision);
  }

  private verify(service: string, decision: ScaleDecision): void {
    const verifying = verifyHealthy(() => this.options.control.isHealthy(service), {
      healthyForMs: this.options.healthyForMs ?? 2_000,
      timeoutMs: this.options.verifyTimeoutMs ?? 60_000,
      clock: this.clock,
      signal: this.stopping.signal,
    })
      .then(async (verdict) => {
        await this.options.audit(AUTOSCALE_ACTOR, verdict.ok ? 'autoscale.verified' : 'autoscale.unverified', service, { to: decision.replicas, detail: verdict.detail });
        if (!verdict.ok) this.options.say?.(`autoscale: ${service} at ${decision.replicas} replicas is not healthy: ${verdict.detail}`);
      })
      .catch((error: unknown) => {
        if (!this.stopping.signal.aborted) this.options.onError?.(error, service);
      })
      .finally(() => this.verifying.delete(verifying));
    this.verifying.add(verifying);
  }
}
