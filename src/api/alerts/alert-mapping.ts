import { createHash } from 'node:crypto';
import type { AlertsConfig } from '../../config/schema/alerts.js';
import type { AlertmanagerAlert } from './alertmanager-payload.js';

/** What the mapping needs to know of the elements: the configured services and their replicas. */
export interface AlertElements {
  isService(name: string): boolean;
  /** The service's replicas, with the port each listens on when it has one. */
  replicas(service: string): { instance: string; port?: number }[];
}

/** An alert mapped to an element: the symptom it becomes (or clears), and its identity. */
export interface MappedAlert {
  fingerprint: string;
  startsAt: string;
  status: 'firing' | 'resolved';
  service: string;
  instance?: string;
  /** The symptom's name: the alert's `symptomLabel` (default `alertname`). */
  symptom: string;
}

/** Why an alert maps to no element (answered in `ignored`, counted, logged). */
export type IgnoredReason = 'no-symptom-label' | 'no-service' | 'too-many-firing';

export type AlertMapping = { mapped: MappedAlert } | { ignored: IgnoredReason; fingerprint: string; detail: string };

/**
 * One alert to the element it is about, by the `alerts:` labels: the first of
 * `serviceLabels` whose value is a service (through the `services` map, or by its own
 * name); the replica when `instanceLabel` names one (`web#0`, or `host:port` with a
 * replica's port); the symptom named by `symptomLabel`. Pure: the same alert maps the same
 * way while the config does.
 *
 * @example mapAlert({ status: 'firing', labels: { alertname: 'HighErrors', job: 'web', instance: '127.0.0.1:8080' }, startsAt: '…' }, config, elements)
 * // { mapped: { service: 'web', instance: 'web#0', symptom: 'HighErrors', … } } when web#0 listens on 8080
 */
export function mapAlert(alert: AlertmanagerAlert, config: AlertsConfig, elements: AlertElements): AlertMapping {
  const fingerprint = alert.fingerprint ?? labelsFingerprint(alert.labels);
  const symptom = alert.labels[config.symptomLabel];
  if (!symptom) return { ignored: 'no-symptom-label', fingerprint, detail: `the alert has no "${config.symptomLabel}" label to name its symptom` };
  const service = serviceOf(alert.labels, config, elements);
  if (!service) {
    const tried = config.serviceLabels.map((label) => `${label}=${JSON.stringify(alert.labels[label] ?? null)}`).join(', ');
    return { ignored: 'no-service', fingerprint, detail: `${symptom}: no label names a service (${tried}; alerts.services maps other values)` };
  }
  const instance = instanceOf(alert.labels[config.instanceLabel], elements.replicas(service));
  return { mapped: { fingerprint, startsAt: alert.startsAt, status: alert.status, service, symptom, ...(instance ? { instance } : {}) } };
}

function serviceOf(labels: Record<string, string>, config: AlertsConfig, elements: AlertElements): string | undefined {
  for (const label of config.serviceLabels) {
    const value = labels[label];
    if (!value) continue;
    const named = Object.hasOwn(config.services, value) ? config.services[value]! : value;
    if (elements.isService(named)) return named;
  }
  return undefined;
}

/** The replica `value` names: itself, or the one listening on the port of a `host:port`. */
function instanceOf(value: string | undefined, replicas: { instance: string; port?: number }[]): string | undefined {
  if (!value) return undefined;
  if (replicas.some((replica) => replica.instance === value)) return value;
  const port = /:(\d{1,5})$/.exec(value)?.[1];
  if (port === undefined) return undefined;
  return replicas.find((replica) => replica.port === Number(port))?.instance;
}

/** Alertmanager's fingerprint stands for the label set; without one, a hash of the sorted labels does. */
export function labelsFingerprint(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((key) => [key, labels[key]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex').slice(0, 16);
}
