import type { Symptom } from '../../analyze/symptom.js';
import type { AlertsConfig } from '../../config/schema/alerts.js';
import { AlertBook } from './alert-book.js';
import { mapAlert, type AlertElements, type IgnoredReason, type MappedAlert } from './alert-mapping.js';
import type { AlertmanagerAlert, AlertmanagerPayload } from './alertmanager-payload.js';
import { asAlertmanagerAlert, type GenericAlertPayload } from './generic-alert-payload.js';

/** An alert that changed nothing, and why (answered to the poster, who can fix its labels). */
export interface IgnoredAlert {
  fingerprint: string;
  reason: IgnoredReason;
  detail: string;
}

/** What one notification did: counts by outcome, and the alerts ignored. */
export interface ReceivedAlerts {
  /** New firing episodes, each now a symptom. */
  fired: number;
  /** Firing episodes that ended. */
  resolved: number;
  /** Redeliveries: nothing changed. */
  duplicates: number;
  ignored: IgnoredAlert[];
}

/** Labels the receiver sets on a symptom itself; an alert's own label of that name is not copied. */
const RESERVED_LABELS = new Set(['node', 'source']);
/** The symptom carries the alert's labels for policies to match, up to this many. */
const MAX_SYMPTOM_LABELS = 32;

export interface AlertReceiverOptions {
  config: AlertsConfig;
  elements: AlertElements;
  /** Where a firing alert's symptom goes (the runtime's intake: to the leader's loop). */
  observe: (symptom: Symptom) => void;
  /** Told of each alert ignored (the runtime logs and counts it). */
  onIgnored?: (alert: IgnoredAlert) => void;
  now?: () => number;
}

/**
 * Alertmanager notifications in, symptoms out: each alert mapped to its element
 * ({@link mapAlert}), de-duplicated by episode ({@link AlertBook}); a new firing episode
 * becomes a symptom named after the alert, a resolved one is remembered so the symptom
 * counts as cleared ({@link isFiring}) once no alert keeps it firing. A post can only raise
 * symptoms: what is done about them is the loop's and the policies' decision.
 *
 * @example const receiver = new AlertReceiver({ config: config.alerts, elements, observe }); receiver.receive(payload, 'api:alertmanager') // { fired: 1, resolved: 0, duplicates: 0, ignored: [] }
 */
export class AlertReceiver {
  private readonly book: AlertBook;
  private readonly now: () => number;

  constructor(private readonly options: AlertReceiverOptions) {
    this.now = options.now ?? Date.now;
    this.book = new AlertBook(options.config.maxFiring, this.now);
  }

  /** `postedBy`: who posted the notification (`api:<token>`, or `alerts:shared-secret`), kept in each symptom's signal. */
  receive(payload: AlertmanagerPayload, postedBy: string): ReceivedAlerts {
    return this.take(payload.alerts, { source: 'alertmanager', postedBy, ...(payload.groupKey ? { groupKey: payload.groupKey } : {}) });
  }

  /** The generic webhook's alerts, mapped by the same `alerts:` rules (see generic-alert-payload.ts). */
  receiveGeneric(payload: GenericAlertPayload, postedBy: string): ReceivedAlerts {
    return this.take(
      payload.alerts.map((alert) => asAlertmanagerAlert(alert, this.options.config)),
      { source: 'webhook', postedBy },
    );
  }

  private take(alerts: AlertmanagerAlert[], post: Post): ReceivedAlerts {
    const answer: ReceivedAlerts = { fired: 0, resolved: 0, duplicates: 0, ignored: [] };
    for (const alert of alerts) {
      const mapping = mapAlert(alert, this.options.config, this.options.elements);
      if ('ignored' in mapping) {
        this.ignore(answer, { fingerprint: mapping.fingerprint, reason: mapping.ignored, detail: mapping.detail });
        continue;
      }
      const { mapped } = mapping;
      const outcome = this.book.record(mapped);
      if (outcome === 'duplicate') answer.duplicates++;
      else if (outcome === 'resolved') answer.resolved++;
      else if (outcome === 'full') {
        this.ignore(answer, { fingerprint: mapped.fingerprint, reason: 'too-many-firing', detail: `${mapped.symptom}: ${this.options.config.maxFiring} alerts are firing already (alerts.maxFiring)` });
      } else {
        answer.fired++;
        this.options.observe(symptomOf(alert, mapped, post, this.now()));
      }
    }
    return answer;
  }

  /**
   * Take the alert symptom `symptom` on `service` (of an incident still open when this
   * process started or began to lead) as firing until Alertmanager says otherwise or
   * `alerts.resendWithin` passes: it re-sends firing alerts only every `repeat_interval`.
   */
  assumeFiring(service: string, symptom: string): void {
    this.book.assumeFiring(service, symptom, this.now() + this.options.config.resendWithin);
  }

  /** Whether an alert still fires as `symptom` on `service`: its symptom has not cleared. */
  isFiring(service: string, symptom: string): boolean {
    return this.book.isFiring(service, symptom);
  }

  private ignore(answer: ReceivedAlerts, ignored: IgnoredAlert): void {
    answer.ignored.push(ignored);
    this.options.onIgnored?.(ignored);
  }
}

/** Who posted a notification authenticated by `alerts.secretEnv` rather than a token. */
export const SHARED_SECRET_POSTER = 'alerts:shared-secret';

/** Where an alert came from: the symptom's `source` label. */
export type AlertSource = 'alertmanager' | 'webhook';

/** One notification: its route, who posted it (attribution: each symptom says who raised it), its Alertmanager group. */
interface Post {
  source: AlertSource;
  postedBy: string;
  groupKey?: string;
}

function symptomOf(alert: AlertmanagerAlert, mapped: MappedAlert, post: Post, at: number): Symptom {
  const { source, postedBy, groupKey } = post;
  const labels: Record<string, string> = { source };
  for (const [key, value] of Object.entries(alert.labels).slice(0, MAX_SYMPTOM_LABELS)) if (!RESERVED_LABELS.has(key)) labels[key] = value;
  const summary = alert.annotations?.summary ?? alert.annotations?.description;
  return {
    name: mapped.symptom,
    element: mapped.service,
    ...(mapped.instance ? { instance: mapped.instance } : {}),
    at,
    labels,
    signal: {
      source,
      postedBy,
      fingerprint: mapped.fingerprint,
      startsAt: alert.startsAt,
      ...(alert.generatorURL ? { generatorURL: alert.generatorURL } : {}),
      ...(groupKey ? { groupKey } : {}),
      ...(summary ? { message: summary } : {}),
    },
  };
}
