import type { Clock } from '../resilience/clock.js';
import type { ElementEvent } from './element-events.js';

/** What failover needs of a service. */
export interface FailoverMember {
  readonly name: string;
  role: 'active' | 'standby';
  /** `verified`: every probe has passed (not merely not failed yet). */
  hasHealthyReplica(verified?: boolean): boolean;
}

/**
 * An active-passive pair: the primary serves; when it has had no healthy replica for
 * `afterMs` and the standby has one, the standby becomes active (a `failover` event).
 * There is no automatic fail-back — the recovered primary waits as the standby until
 * the active side fails in turn — so a flapping primary cannot flip traffic back and forth.
 *
 * @example const pair = new FailoverPair(api, apiStandby, 0, clock, emit); pair.evaluate();
 * @example // both sides unhealthy: nothing switches; the probe symptoms already tell why
 */
export class FailoverPair {
  private unhealthySince: number | undefined;

  constructor(
    readonly primary: FailoverMember,
    readonly standby: FailoverMember,
    private readonly afterMs: number,
    private readonly clock: Clock,
    private readonly emit: (event: ElementEvent) => void,
  ) {
    primary.role = 'active';
    standby.role = 'standby';
  }

  get active(): FailoverMember {
    return this.primary.role === 'active' ? this.primary : this.standby;
  }

  /**
   * Fail over now (the `failover` action), without waiting for `after`: the other side
   * becomes active if its probes have passed. Returns the switch, or undefined when the
   * other side has no verified-healthy replica (nothing changes then).
   * @example pair.switchover('incident 42') // { from: 'dependency', to: 'dependency-standby' }
   */
  switchover(reason: string): { from: string; to: string } | undefined {
    const active = this.active;
    const other = active === this.primary ? this.standby : this.primary;
    if (!other.hasHealthyReplica(true)) return undefined;
    active.role = 'standby';
    other.role = 'active';
    this.unhealthySince = undefined;
    this.emit({ kind: 'failover', at: this.clock.now(), element: this.primary.name, from: active.name, to: other.name, reason });
    return { from: active.name, to: other.name };
  }

  /** Re-read both sides' health and fail over if due. */
  evaluate(): void {
    const active = this.active;
    const now = this.clock.now();
    if (active.hasHealthyReplica()) {
      this.unhealthySince = undefined;
      return;
    }
    this.unhealthySince ??= now;
    if (now - this.unhealthySince < this.afterMs) return;
    const other = active === this.primary ? this.standby : this.primary;
    // Switch only to a side whose probes have passed, not to one just (re)started.
    if (!other.hasHealthyReplica(true)) return;
    active.role = 'standby';
    other.role = 'active';
    this.unhealthySince = undefined;
    this.emit({ kind: 'failover', at: now, element: this.primary.name, from: active.name, to: other.name, reason: `${active.name} has no healthy replica` });
  }
}
