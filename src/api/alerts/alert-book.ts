import type { MappedAlert } from './alert-mapping.js';

/** What one delivered alert changed. */
export type AlertOutcome =
  /** A new firing episode: it becomes a symptom. */
  | 'fired'
  /** Seen already (a redelivery, or a firing episode that has since resolved): nothing changes. */
  | 'duplicate'
  /** A firing episode ended: its symptom clears once no other alert keeps it firing. */
  | 'resolved'
  /** Over `alerts.maxFiring`: not remembered, so not a symptom either. */
  | 'full';

/** Resolved episodes remembered (to ignore a late redelivery of their firing notice), oldest forgotten first. */
const RESOLVED_KEPT_PER_FIRING = 1;

/**
 * The alerts firing now, by episode (fingerprint + startsAt), and the recently resolved
 * ones: the receiver's de-duplication and the answer to "has this alert symptom cleared".
 *
 * Idempotent by construction: a firing episode already firing, or already resolved, is a
 * duplicate; a resolved notice of an episode already resolved is one too. So Alertmanager's
 * redeliveries (every `repeat_interval`, every group change, retries after a timeout) never
 * make a second symptom. Bounded: at most `maxFiring` firing episodes (a new one beyond
 * is refused, never an old one forgotten, so no firing alert is ever taken for cleared)
 * and as many resolved ones (the oldest forgotten first).
 *
 * In memory, and recomputable rather than persisted: Alertmanager re-sends every firing
 * alert of a group each `repeat_interval`, so a restarted `up` (or a new leader) learns
 * them again. See docs/integrations.md for what that means during the gap.
 *
 * @example const book = new AlertBook(10_000); book.record(alert) // 'fired'; book.record(alert) // 'duplicate'
 */
export class AlertBook {
  private readonly firing = new Map<string, MappedAlert>();
  private readonly resolved = new Map<string, true>();
  /** Firing episodes per `service|symptom`: a symptom is clear when none is left. */
  private readonly firingBySymptom = new Map<string, number>();
  /** Symptoms taken as firing until a time, though no alert of them was heard yet (see {@link assumeFiring}). */
  private readonly assumed = new Map<string, number>();
  /** Symptoms some alert was heard about (firing or resolved): nothing is assumed of them, the book knows. Bounded: forgotten whole past 2 × maxFiring. */
  private readonly heard = new Set<string>();

  constructor(
    private readonly maxFiring: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Take `symptom` on `service` as firing until `until` (ms), or until an alert of it is
   * heard: what a restarted receiver assumes of the alert symptoms of incidents still open,
   * which Alertmanager re-sends only at its next `repeat_interval`. Without it, a restart
   * would make every such symptom look cleared.
   */
  assumeFiring(service: string, symptom: string, until: number): void {
    const key = `${service}|${symptom}`;
    if (!this.heard.has(key)) this.assumed.set(key, until);
  }

  record(alert: MappedAlert): AlertOutcome {
    // The source spoke about this symptom: what it says replaces the assumption.
    const key = `${alert.service}|${alert.symptom}`;
    this.assumed.delete(key);
    if (this.heard.size >= 2 * this.maxFiring) this.heard.clear();
    this.heard.add(key);
    const episode = `${alert.fingerprint}|${alert.startsAt}`;
    if (alert.status === 'firing') {
      if (this.firing.has(episode) || this.resolved.has(episode)) return 'duplicate';
      if (this.firing.size >= this.maxFiring) return 'full';
      this.firing.set(episode, alert);
      this.count(alert, +1);
      return 'fired';
    }
    const was = this.firing.get(episode);
    if (!was && this.resolved.has(episode)) return 'duplicate';
    if (was) {
      this.firing.delete(episode);
      this.count(was, -1);
    }
    this.resolved.set(episode, true);
    if (this.resolved.size > this.maxFiring * RESOLVED_KEPT_PER_FIRING) this.resolved.delete(this.resolved.keys().next().value!);
    return 'resolved';
  }

  /** Whether an alert still fires as `symptom` on `service`, or is assumed to (false for a symptom no alert raised). */
  isFiring(service: string, symptom: string): boolean {
    const key = `${service}|${symptom}`;
    if ((this.firingBySymptom.get(key) ?? 0) > 0) return true;
    const until = this.assumed.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.assumed.delete(key);
    return false;
  }

  /** Firing episodes remembered now. */
  get firingCount(): number {
    return this.firing.size;
  }

  private count(alert: MappedAlert, delta: number): void {
    const key = `${alert.service}|${alert.symptom}`;
    const next = (this.firingBySymptom.get(key) ?? 0) + delta;
    if (next > 0) this.firingBySymptom.set(key, next);
    else this.firingBySymptom.delete(key);
  }
}
