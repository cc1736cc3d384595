import { decodeDiagnosis } from '../analyze/diagnosis-codec.js';
import type { Diagnosis } from '../analyze/symptom.js';
import type { IncidentRecord } from '../store/records.js';

/** What an escalation says: the incident and its explanation in a few lines. */
export interface EscalationMessage {
  incident: IncidentRecord;
  /** Human lines: symptoms, diagnosis, what was tried and how it went. */
  explanation: string[];
  severity: 'critical' | 'error' | 'warning' | 'info';
  /** `trigger` opens (or updates) the page; `resolve` closes it. */
  event: 'trigger' | 'resolve';
  /** The incident's page in the dashboard (`api.publicUrl` set); absent otherwise. */
  link?: string;
}

/** The version of {@link jsonPayload}'s shape: raised when a field changes meaning or goes away. */
export const JSON_PAYLOAD_VERSION = 1;

/**
 * The incident's page in the dashboard behind `publicUrl` (its hash route `#/incidents/<id>`,
 * see ui/app.js); undefined without a public URL, so no message carries a loopback address.
 * @example incidentLink('https://homeostat.example.com', 'inc-1a2b') // 'https://homeostat.example.com/#/incidents/inc-1a2b'
 * @example incidentLink(undefined, 'inc-1a2b') // undefined
 */
export function incidentLink(publicUrl: string | undefined, incidentId: string): string | undefined {
  if (!publicUrl) return undefined;
  return `${publicUrl.replace(/\/+$/, '')}/#/incidents/${encodeURIComponent(incidentId)}`;
}

/**
 * A PagerDuty Events API v2 body (`POST https://events.pagerduty.com/v2/enqueue`). A resolve
 * carries only the routing and dedup keys, as the Events API asks.
 * @example pagerDutyPayload(message, 'R0UTINGKEY').dedup_key // the incident id: re-sends update one alert
 * @example pagerDutyPayload({ …, event: 'resolve' }, key) // { routing_key, event_action: 'resolve', dedup_key }
 */
export function pagerDutyPayload(message: EscalationMessage, routingKey = '') {
  const { incident } = message;
  const keys = { routing_key: routingKey, event_action: message.event, dedup_key: incident.id };
  if (message.event === 'resolve') return keys;
  return {
    ...keys,
    payload: {
      summary: `[homeostat] ${incident.element}: ${incident.summary}`.slice(0, 1024),
      source: incident.element,
      severity: message.severity,
      component: incident.element,
      class: incident.symptom,
      custom_details: { incident: incident.id, status: incident.status, explanation: message.explanation },
    },
    ...(message.link ? { links: [{ href: message.link, text: `homeostat incident ${incident.id}` }] } : {}),
  };
}

/**
 * A Slack incoming-webhook body (`text` plus blocks). Incoming webhooks cannot edit a message
 * they posted, so a resolve is a message of its own.
 * @example slackPayload(message).text // '🔴 homeostat: api — restart did not help'
 * @example slackPayload({ …, event: 'resolve' }).text.startsWith('✅ resolved')
 */
export function slackPayload(message: EscalationMessage) {
  const { incident } = message;
  const icon = message.event === 'resolve' ? '✅ resolved:' : message.severity === 'warning' ? '⚠️' : '🔴';
  const text = `${icon} homeostat: ${incident.element} — ${incident.summary}`;
  const id = message.link ? `<${message.link}|incident \`${incident.id}\`>` : `incident \`${incident.id}\``;
  return {
    text: message.link ? `${text} ${message.link}` : text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${text}*\n${id} · ${incident.status}` } },
      { type: 'section', text: { type: 'mrkdwn', text: message.explanation.map((line) => `• ${line}`).join('\n').slice(0, 2900) } },
    ],
  };
}

/**
 * The plain JSON body (`format: json` webhooks and `action: webhook` rungs), versioned
 * ({@link JSON_PAYLOAD_VERSION}) and documented in docs/escalation.md: the incident's fields,
 * times as ISO 8601, and its diagnosis as an object (the store keeps it as JSON text).
 * @example jsonPayload(message).incident.diagnosis.cause // 'process-crashed'
 * @example jsonPayload({ …, link: undefined }).link // undefined: the key is left out
 */
export function jsonPayload(message: EscalationMessage) {
  const { incident } = message;
  return {
    version: JSON_PAYLOAD_VERSION,
    event: message.event,
    severity: message.severity,
    incident: {
      id: incident.id,
      element: incident.element,
      status: incident.status,
      symptom: incident.symptom,
      summary: incident.summary,
      openedAt: new Date(incident.openedAt).toISOString(),
      resolvedAt: incident.resolvedAt === null ? null : new Date(incident.resolvedAt).toISOString(),
      resolution: incident.resolution,
      resolvedBy: incident.resolvedBy,
      diagnosis: parseDiagnosis(incident.diagnosis),
    },
    explanation: message.explanation,
    ...(message.link ? { link: message.link } : {}),
  };
}

/** The body a webhook of `format` gets. */
export function webhookPayload(message: EscalationMessage, hook: { format: 'pagerduty' | 'slack' | 'json'; routingKey?: string | undefined }): unknown {
  if (hook.format === 'pagerduty') return pagerDutyPayload(message, hook.routingKey);
  if (hook.format === 'slack') return slackPayload(message);
  return jsonPayload(message);
}

/** The stored diagnosis as an object; text that does not decode is kept under `text`, so the page still shows it. */
function parseDiagnosis(text: string | null): Diagnosis | { text: string } | null {
  if (text === null) return null;
  try {
    return decodeDiagnosis(text);
  } catch {
    return { text };
  }
}
