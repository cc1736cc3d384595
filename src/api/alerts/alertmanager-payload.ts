/**
 * Alertmanager's webhook body, version 4 (what `webhook_configs` posts): one notification
 * of a group, with every alert of the group in `alerts`. Typed here for the receiver and
 * declared as a JSON schema for the route, so a malformed body is a 400 before anything
 * reads it. Unknown extra fields are allowed (Alertmanager adds some across releases);
 * the fields named are checked for type.
 */
export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** RFC 3339; with the fingerprint, names one firing episode of the alert. */
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
  /** Alertmanager's hash of the labels; computed from them when absent (Alertmanager before 0.19). */
  fingerprint?: string;
}

export interface AlertmanagerPayload {
  version: '4';
  groupKey?: string;
  truncatedAlerts?: number;
  status: 'firing' | 'resolved';
  receiver?: string;
  groupLabels?: Record<string, string>;
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
  externalURL?: string;
  alerts: AlertmanagerAlert[];
}

/** At most this many alerts in one notification (Alertmanager's `max_alerts` should stay below). */
export const MAX_ALERTS_PER_POST = 10_000;

const labelMap = { type: 'object', maxProperties: 128, additionalProperties: { type: 'string', maxLength: 4_096 } } as const;
const status = { type: 'string', enum: ['firing', 'resolved'] } as const;
const shortText = { type: 'string', maxLength: 4_096 } as const;

/** The route's body schema for {@link AlertmanagerPayload}. */
export const alertmanagerPayloadSchema = {
  type: 'object',
  required: ['version', 'status', 'alerts'],
  properties: {
    version: { type: 'string', enum: ['4'] },
    groupKey: shortText,
    truncatedAlerts: { type: 'integer', minimum: 0 },
    status,
    receiver: shortText,
    groupLabels: labelMap,
    commonLabels: labelMap,
    commonAnnotations: labelMap,
    externalURL: shortText,
    alerts: {
      type: 'array',
      maxItems: MAX_ALERTS_PER_POST,
      items: {
        type: 'object',
        required: ['status', 'labels', 'startsAt'],
        properties: {
          status,
          labels: labelMap,
          annotations: labelMap,
          startsAt: { type: 'string', minLength: 1, maxLength: 64 },
          endsAt: { type: 'string', maxLength: 64 },
          generatorURL: shortText,
          fingerprint: { type: 'string', minLength: 1, maxLength: 128 },
        },
      },
    },
  },
} as const;
