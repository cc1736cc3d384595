import type { AutoscaleConfig } from '../config/schema/autoscale.js';

/** What the autoscaler should do now: scale `service` to `replicas`, and why. */
export interface ScaleDecision {
  replicas: number;
  direction: 'up' | 'down';
  reason: string;
}

/**
 * The replicas the load asks for, as the Kubernetes HPA computes them: current × average /
 * target, rounded up, unchanged while the ratio is within 1 ± `tolerance`, within min..max.
 * @example desiredReplicas(2, 30, 10, { min: 1, max: 10, tolerance: 0.1 }) // 6
 * @example desiredReplicas(4, 10.5, 10, { min: 1, max: 10, tolerance: 0.1 }) // 4 (within tolerance)
 */
export function desiredReplicas(current: number, average: number, target: number, bounds: { min: number; max: number; tolerance: number }): number {
  const ratio = average / target;
  const wanted = Math.abs(ratio - 1) <= bounds.tolerance ? current : Math.ceil(current * ratio);
  return Math.min(bounds.max, Math.max(bounds.min, wanted));
}

/**
 * One service's recommendations over time, damped like the HPA's `behavior`: a scale-out
 * goes to the lowest count recommended within `scaleUp.stabilization`, a scale-in to the
 * highest within `scaleDown.stabilization` (a dip does not remove replicas a spike needs
 * again), each at most `maxStep` at once, and none in a direction within its `cooldown` of
 * the last one. No reading (a metric not scraped, replicas not reporting) is no decision:
 * replicas are never removed on missing data.
 *
 * @example const r = new ScaleRecommender(config); r.decide(now, 2, 30) // { replicas: 6, direction: 'up', reason: 'average 30 per replica against a target of 10: 6 replicas' }
 */
export class ScaleRecommender {
  private readonly recommendations: { at: number; replicas: number }[] = [];
  private lastScaled: { up?: number; down?: number } = {};

  constructor(private config: AutoscaleConfig) {}

  /** A new config version's settings; the history and cooldowns carry over. */
  reconfigure(config: AutoscaleConfig): void {
    this.config = config;
  }

  /** Called after a scale was carried out, for the cooldown of its direction. */
  scaled(direction: 'up' | 'down', at: number): void {
    this.lastScaled[direction] = at;
  }

  decide(now: number, current: number, average: number | undefined): ScaleDecision | undefined {
    const { min, max, target, scaleUp, scaleDown } = this.config;
    // Outside the bounds (a manual scale, a changed config): back inside at once.
    if (current < min) return { replicas: min, direction: 'up', reason: `${current} replicas is below autoscale.min ${min}` };
    if (current > max) return { replicas: max, direction: 'down', reason: `${current} replicas is above autoscale.max ${max}` };
    if (average === undefined || !Number.isFinite(average)) return undefined;
    const raw = desiredReplicas(current, average, target, this.config);
    this.recommendations.push({ at: now, replicas: raw });
    const keep = Math.max(scaleUp.stabilization, scaleDown.stabilization);
    while (this.recommendations.length > 0 && this.recommendations[0]!.at < now - keep) this.recommendations.shift();
    const within = (windowMs: number) => this.recommendations.filter((r) => r.at >= now - windowMs).map((r) => r.replicas);
    const why = `average ${round(average)} per replica against a target of ${target}`;
    if (raw > current) {
      const stabilized = Math.min(...within(scaleUp.stabilization));
      if (stabilized <= current) return undefined;
      if (this.coolingDown('up', now, scaleUp.cooldown)) return undefined;
      const replicas = Math.min(stabilized, current + scaleUp.maxStep);
      return { replicas, direction: 'up', reason: `${why}: ${raw} replicas wanted${replicas < raw ? ` (${scaleUp.maxStep} at a time)` : ''}` };
    }
    if (raw < current) {
      const stabilized = Math.max(...within(scaleDown.stabilization));
      if (stabilized >= current) return undefined;
      if (this.coolingDown('down', now, scaleDown.cooldown)) return undefined;
      const replicas = Math.max(stabilized, current - scaleDown.maxStep);
      return { replicas, direction: 'down', reason: `${why}: ${stabilized} replicas wanted over the last ${scaleDown.stabilization} ms${replicas > stabilized ? ` (${scaleDown.maxStep} at a time)` : ''}` };
    }
    return undefined;
  }

  private coolingDown(direction: 'up' | 'down', now: number, cooldownMs: number): boolean {
    const last = this.lastScaled[direction];
    return last !== undefined && now - last < cooldownMs;
  }
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
