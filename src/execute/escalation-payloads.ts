import type { IncidentRecord } from '../store/records.js';

/** What an escalation says: the incident and its explanation in a few lines. */
export interface EscalationMessage {
  incident: IncidentRecord;
  /** Human lines: symptoms, diagnosis, what was tried and how it went. */
  explanation: string[];
  severity: 'critical' | 'error' | 'warning' | 'info';
  /** `trigger` opens (or updates) the page; `resolve` closes it. */
  event: 'trigger' | 'resolve';
}

/**
 * A PagerDuty Events API v2 body (`POST https://events.pagerduty.com/v2/enqueue`).
 * @example pagerDutyPayload(message, 'R0UTINGKEY').dedup_key // the incident id: re-sends update one alert
 * @example pagerDutyPayload({ …, event: 'resolve' }, key).event_action // 'resolve'
 */
export function pagerDutyPayload(message: EscalationMessage, routingKey = '') {
  const { incident } = message;
  return {
    routing_key: routingKey,
    event_action: message.event,
    dedup_key: incident.id,
    payload: {
      summary: `[homeostat] ${incident.element}: ${incident.summary}`.slice(0, 1024),
      source: incident.element,
      severity: message.severity,
      component: incident.element,
      class: incident.symptom,
      custom_details: { incident: incident.id, status: incident.status, explanation: message.explanation },
    },
  };
}

/**
 * A Slack incoming-webhook body (`text` plus blocks).
 * @example slackPayload(message).text // '🔴 homeostat: api — restart did not help'
 * @example slackPayload({ …, event: 'resolve' }).text.startsWith('✅')
 */
export function slackPayload(message: EscalationMessage) {
  const { incident } = message;
  const icon = message.event === 'resolve' ? '✅' : message.severity === 'warning' ? '⚠️' : '🔴';
  const text = `${icon} homeostat: ${incident.element} — ${incident.summary}`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${text}*\nincident \`${incident.id}\` · ${incident.status}` } },
      { type: 'section', text: { type: 'mrkdwn', text: message.explanation.map((line) => `• ${line}`).join('\n').slice(0, 2900) } },
    ],
  };
}
