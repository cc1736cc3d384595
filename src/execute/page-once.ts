import type { Incidents } from '../knowledge/incidents.js';
import { escalate, type ActuatorDeps, type EscalationOutcome } from './actuators.js';
import type { EscalationMessage } from './escalation-payloads.js';
import { outstandingPage } from './escalation-episode.js';

/**
 * Page a human about an incident unless someone already is: one page per incident per
 * escalation. The remediation's `escalate` rung, its "ladder exhausted" ending and the
 * loop's no-policy escalation all page through here, so a slow-retry cycle that fails again
 * records "already paged at <time>" instead of paging again. Whether a page is outstanding
 * is read from the explanation chain ({@link outstandingPage}), not from memory, and the
 * page is recorded there (`escalation`, `event: 'trigger'`) as soon as it is sent.
 *
 * @example await pageOnce(deps, knowledge.incidents, id, 'critical', signal, { rung: 1 }) // pages, records { event: 'trigger', rung: 1, … }
 * @example await pageOnce(deps, knowledge.incidents, id, 'critical') // again: { ok: true, alreadyPagedAt, detail: 'already paged at …' }, nothing sent
 */
export async function pageOnce(
  deps: Pick<ActuatorDeps, 'escalation' | 'escalationMessage' | 'webhooks'>,
  incidents: Pick<Incidents, 'explain' | 'record'>,
  incidentId: string,
  severity: EscalationMessage['severity'],
  signal?: AbortSignal,
  context: Record<string, unknown> = {},
): Promise<EscalationOutcome & { alreadyPagedAt?: number }> {
  const explained = await incidents.explain(incidentId);
  const paged = explained && outstandingPage(explained.entries);
  if (paged) {
    const detail = `already paged at ${new Date(paged.at).toISOString()}: not paged again while the incident is unresolved`;
    await incidents.record(incidentId, 'escalation', { ...context, paged: false, alreadyPagedAt: paged.at, detail });
    return { ok: true, delivered: 0, detail, alreadyPagedAt: paged.at };
  }
  const result = await escalate(deps, incidentId, severity, signal);
  await incidents.record(incidentId, 'escalation', { ...context, event: 'trigger', severity, ...result });
  return result;
}
