import type { AlertsConfig } from '../../config/schema/alerts.js';
import type { AlertmanagerAlert } from './alertmanager-payload.js';

/**
 * The generic alert webhook's body (`POST /api/alerts/webhook`), for sources that are not
 * Alertmanager (Grafana contact points with a custom body, cloud alarms through a small
 * relay, scripts): one or more alerts, each naming its symptom and service directly.
 */
export interface GenericAlert {
  status: 'firing' | 'resolved';
  /** The symptom's name (what policies match). */
  name: string;
  /** The service, or a value `alerts.services` maps to one. */
  service: string;
  /** The replica (`web#0`, or `host:port` with a replica's port). */
  instance?: string;
  /** When this firing episode began: with `id`, the episode's identity (a re-fire has a new one). */
  startsAt: string;
  /** The source's own id for the alert; default: a hash of name, service, instance and labels. */
  id?: string;
  labels?: Record<string, string>;
  summary?: string;
}

export interface GenericAlertPayload {
  alerts: GenericAlert[];
}

const labelMap = { type: 'object', maxProperties: 64, additionalProperties: { type: 'string', maxLength: 4_096 } } as const;
const name = { type: 'string', minLength: 1, maxLength: 256 } as const;

/** The route's body schema for {@link GenericAlertPayload}: closed, so a misspelt field is a 400, not a silent default. */
export const genericAlertPayloadSchema = {
  type: 'object',
  required: ['alerts'],
  additionalProperties: false,
  properties: {
    alerts: {
      type: 'array',
      minItems: 1,
      maxItems: 10_000,
      items: {
        type: 'object',
        required: ['status', 'name', 'service', 'startsAt'],
        additionalProperties: false,
        properties: {
          status: { type: 'string', enum: ['firing', 'resolved'] },
          name,
          service: name,
          instance: name,
          startsAt: { type: 'string', minLength: 1, maxLength: 64 },
          id: { type: 'string', minLength: 1, maxLength: 256 },
          labels: labelMap,
          summary: { type: 'string', maxLength: 4_096 },
        },
      },
    },
  },
} as const;

/**
 * A generic alert in Alertmanager's form, its name, service and instance set on the labels
 * the `alerts:` config reads (`symptomLabel`, the first of `serviceLabels`, `instanceLabel`),
 * so both routes map alerts to elements by one rule.
 *
 * @example asAlertmanagerAlert({ status: 'firing', name: 'QueueStuck', service: 'worker', startsAt: '…' }, config).labels // { alertname: 'QueueStuck', service: 'worker' }
 */
export function asAlertmanagerAlert(alert: GenericAlert, config: AlertsConfig): AlertmanagerAlert {
  const labels: Record<string, string> = { ...alert.labels, [config.symptomLabel]: alert.name, [config.serviceLabels[0]!]: alert.service };
  if (alert.instance !== undefined) labels[config.instanceLabel] = alert.instance;
  return {
    status: alert.status,
    labels,
    startsAt: alert.startsAt,
    ...(alert.summary !== undefined ? { annotations: { summary: alert.summary } } : {}),
    ...(alert.id !== undefined ? { fingerprint: alert.id } : {}),
  };
}
