import type { GuardrailsConfig } from '../config/schema/policies.js';
import { canonicalJson } from '../knowledge/canonical-json.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import { actionBudget, type ActionBudget, type ActionBudgetSnapshot } from '../resilience/action-budget.js';
import { circuitBreaker, type BreakerSnapshot, type CircuitBreaker } from '../resilience/circuit-breaker.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import { traced } from '../telemetry/tracing.js';

/** A replica still marked under remediation after this long (in a saved state) is a leftover. */
const STALE_REMEDIATION_MS = 3_600_000;

/** One guard's verdict, recorded with the decision. */
export interface GuardResult {
  guard: 'pause' | 'dry-run' | 'budget:element' | 'budget:global' | 'blast-radius' | 'breaker' | 'canary';
  ok: boolean;
  detail: string;
}

export interface GuardDecision {
  allowed: boolean;
  /** Allowed, but only to be recorded (dry-run). */
  dryRun: boolean;
  results: GuardResult[];
  /** When denied by a budget or breaker: when trying again may succeed. */
  retryAfterMs?: number;
}

export interface GuardRequest {
  service: string;
  /** The replica the action touches (blast radius); undefined: the whole service. */
  instance?: string;
  /** Replicas the service has (blast radius of a whole-service action). */
  replicas: number;
  dryRun: boolean;
  /** The replicas touched at once (a batch of a canary rollout); overrides `instance`. */
  instances?: string[];
  /** Charge the action budgets (default true; a rollout's later batches are the same action). */
  chargeBudget?: boolean;
}

/**
 * The guardrails every planned action passes, in order: pause (global, per service),
 * dry-run, the remediation circuit breaker, blast radius (at most K replicas of a service
 * under remediation at once), budgets per element and global. Budgets and breakers are
 * the resilience toolbox's, saved to Knowledge so they survive a controller restart.
 *
 * @example
 * const decision = await guardrails.check({ service: 'api', instance: 'api#0', replicas: 2, dryRun: false });
 * if (decision.allowed) { …act…; guardrails.release('api', 'api#0'); }
 * @example
 * // a fourth restart within the budget's window: { allowed: false, results: [… { guard: 'budget:element', ok: false }] }
 */
export class Guardrails {
  private readonly budgets = new Map<string, ActionBudget>();
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly underRemediation = new Map<string, Set<string>>();
  /** When each `service|replica` went under remediation (saved, so a restart remembers it). */
  private readonly remediatingSince = new Map<string, number>();
  private readonly clock: Clock;
  private loaded = false;

  constructor(
    private config: GuardrailsConfig,
    private readonly knowledge: Knowledge,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  /** Every verdict is traced: a `homeostat.guardrails` span with an event per guard (tracing.ts). */
  check(request: GuardRequest): Promise<GuardDecision> {
    const attributes = { 'homeostat.service': request.service, ...(request.instance ? { 'homeostat.instance': request.instance } : {}) };
    return traced('homeostat.guardrails', attributes, async (span) => {
      const decision = await this.decide(request);
      if (span) {
        span.setAttributes({ 'homeostat.guardrail.allowed': decision.allowed, 'homeostat.guardrail.dry_run': decision.dryRun });
        const denied = decision.results.find((r) => !r.ok);
        if (denied) span.setAttributes({ 'homeostat.guardrail.denied_by': denied.guard, 'homeostat.guardrail.reason': denied.detail });
        for (const result of decision.results) {
          span.addEvent('homeostat.guardrail', { 'homeostat.guardrail.name': result.guard, 'homeostat.guardrail.verdict': result.ok ? 'pass' : 'deny', 'homeostat.guardrail.reason': result.detail });
        }
      }
      return decision;
    });
  }

  private async decide(request: GuardRequest): Promise<GuardDecision> {
    await this.load();
    const results: GuardResult[] = [];
    const deny = (retryAfterMs?: number): GuardDecision => ({ allowed: false, dryRun: false, results, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
    const pause = await this.knowledge.pausedFor(request.service);
    results.push({ guard: 'pause', ok: !pause.paused, detail: pause.paused ? `paused (${pause.scope}) by ${pause.by}: ${pause.reason}` : 'not paused' });
    if (pause.paused) return deny();
    const dryRun = this.config.dryRun || request.dryRun;
    results.push({ guard: 'dry-run', ok: true, detail: dryRun ? 'dry-run: the action is recorded, not executed' : 'live' });
    const breaker = this.breaker(request.service);
    const breakerOpen = breaker.state === 'open' || breaker.state === 'isolated';
    results.push({ guard: 'breaker', ok: !breakerOpen, detail: breakerOpen ? `open: remediation of ${request.service} failed ${this.config.breaker.failures} times in a row` : `${breaker.state}` });
    if (breakerOpen) return deny(this.config.breaker.openFor);
    const active = this.underRemediation.get(request.service) ?? new Set<string>();
    const wanted = request.instances ?? [request.instance ?? `${request.service}#*`];
    const touching = request.instances ? wanted.filter((w) => !active.has(w)).length : request.instance === undefined ? Math.max(1, request.replicas) : 1;
    const limit = this.config.blastRadius.maxReplicas;
    const wouldBe = !request.instances && active.has(wanted[0]!) ? active.size : active.size + touching;
    const blastOk = wouldBe <= limit || (request.instance === undefined && request.replicas <= 1 && active.size === 0);
    results.push({ guard: 'blast-radius', ok: blastOk, detail: `${active.size} of ${request.service}'s replicas under remediation${active.size ? ` (${[...active].join(', ')})` : ''}; this action would make ${wouldBe}, limit ${limit}` });
    if (!blastOk) return deny(1_000);
    if (!dryRun && request.chargeBudget !== false) {
      const element = this.budget(`budget:${request.service}`, this.config.budgets.perElement);
      const global = this.budget('budget:*', this.config.budgets.global);
      if (element.remaining < 1) {
        results.push({ guard: 'budget:element', ok: false, detail: `spent: ${this.config.budgets.perElement.max} actions per ${this.config.budgets.perElement.window} ms on ${request.service}` });
        return deny(element.retryAfterMs());
      }
      if (global.remaining < 1) {
        results.push({ guard: 'budget:global', ok: false, detail: `spent: ${this.config.budgets.global.max} actions per ${this.config.budgets.global.window} ms in total` });
        return deny(global.retryAfterMs());
      }
      element.tryAcquire();
      global.tryAcquire();
      results.push({ guard: 'budget:element', ok: true, detail: `${element.remaining} of ${this.config.budgets.perElement.max} left on ${request.service}` });
      results.push({ guard: 'budget:global', ok: true, detail: `${global.remaining} of ${this.config.budgets.global.max} left in total` });
    }
    for (const w of wanted) {
      active.add(w);
      if (!this.remediatingSince.has(`${request.service}|${w}`)) this.remediatingSince.set(`${request.service}|${w}`, this.clock.now());
    }
    this.underRemediation.set(request.service, active);
    await this.save();
    return { allowed: true, dryRun, results };
  }

  /**
   * A new config version's guardrails, from the next check on. Budgets and breakers keep
   * what they have spent and seen, under the new limits.
   */
  reconfigure(config: GuardrailsConfig): void {
    if (canonicalJson(config) === canonicalJson(this.config)) return;
    this.config = config;
    for (const [key, budget] of this.budgets) this.restored.set(key, budget.toJSON());
    for (const [key, breaker] of this.breakers) this.restored.set(key, breaker.toJSON());
    this.budgets.clear();
    this.breakers.clear();
  }

  /** The action on `instance` is over (verified or not): it no longer counts for the blast radius. */
  release(service: string, instance?: string): void {
    const key = instance ?? `${service}#*`;
    if (!this.underRemediation.get(service)?.delete(key)) return;
    this.remediatingSince.delete(`${service}|${key}`);
    void this.save().catch(() => undefined);
  }

  /** Feed the remediation breaker: did the remediation of `service` work? */
  async outcome(service: string, success: boolean): Promise<void> {
    const breaker = this.breaker(service);
    await breaker
      .execute(() => {
        if (!success) throw new Error('remediation failed');
      })
      .catch(() => undefined);
    await this.save();
  }

  private budget(key: string, limits: { max: number; window: number }): ActionBudget {
    let budget = this.budgets.get(key);
    if (!budget) {
      budget = actionBudget({ max: limits.max, windowMs: limits.window, clock: this.clock, ...(this.restored.get(key) ? { initialState: this.restored.get(key) as ActionBudgetSnapshot } : {}) });
      this.budgets.set(key, budget);
    }
    return budget;
  }

  private breaker(service: string): CircuitBreaker {
    const key = `breaker:${service}`;
    let breaker = this.breakers.get(key);
    if (!breaker) {
      const restored = this.restored.get(key) as BreakerSnapshot | undefined;
      breaker = circuitBreaker({
        strategy: { kind: 'consecutive', threshold: this.config.breaker.failures },
        halfOpenAfter: this.config.breaker.openFor,
        isFailure: () => true,
        clock: this.clock,
        ...(restored ? { initialState: restored } : {}),
      });
      this.breakers.set(key, breaker);
    }
    return breaker;
  }

  private readonly restored = new Map<string, unknown>();

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const saved = await this.knowledge.loadGuardState('guardrails');
    if (!saved) return;
    try {
      for (const [key, value] of Object.entries(JSON.parse(saved) as Record<string, unknown>)) {
        if (key.startsWith('blast:')) this.restoreBlast(key.slice('blast:'.length), value);
        else this.restored.set(key, value);
      }
    } catch {
      // a corrupt snapshot: start fresh rather than refuse to remediate
    }
  }

  /**
   * Replicas under remediation when the state was saved (a controller restart resumes their
   * remediations, which release them); entries older than an hour are dropped as leftovers.
   */
  private restoreBlast(service: string, value: unknown): void {
    if (!value || typeof value !== 'object') return;
    const now = this.clock.now();
    for (const [replica, since] of Object.entries(value as Record<string, unknown>)) {
      if (typeof since !== 'number' || now - since > STALE_REMEDIATION_MS) continue;
      const active = this.underRemediation.get(service) ?? new Set<string>();
      active.add(replica);
      this.underRemediation.set(service, active);
      this.remediatingSince.set(`${service}|${replica}`, since);
    }
  }

  private async save(): Promise<void> {
    const state: Record<string, unknown> = Object.fromEntries(this.restored);
    for (const [key, budget] of this.budgets) state[key] = budget.toJSON();
    for (const [key, breaker] of this.breakers) state[key] = breaker.toJSON();
    for (const [service, active] of this.underRemediation) {
      if (active.size > 0) state[`blast:${service}`] = Object.fromEntries([...active].map((replica) => [replica, this.remediatingSince.get(`${service}|${replica}`) ?? this.clock.now()]));
    }
    await this.knowledge.saveGuardState('guardrails', JSON.stringify(state));
  }
}
