import type { Knowledge } from '../knowledge/knowledge.js';
import { incidentLink, type EscalationMessage } from './escalation-payloads.js';

/**
 * The escalation message: the incident and its explanation chain in a few lines (the
 * latest 12 entries past the raw signals and evidence), and its dashboard link
 * (`api.publicUrl`). It only reads Knowledge, so whoever pages or resolves — the loop,
 * the runtime's notifier, an actuator — writes the same message.
 */
export async function escalationMessage(
  deps: { knowledge: Knowledge; publicUrl: string | undefined },
  incidentId: string,
  severity: EscalationMessage['severity'],
): Promise<EscalationMessage> {
  const explained = await deps.knowledge.incidents.explain(incidentId);
  if (!explained) throw new Error(`no incident ${incidentId}`);
  const lines = explained.entries
    .filter((e) => e.kind !== 'signal' && e.kind !== 'evidence')
    .slice(-12)
    .map((e) => `${e.kind}: ${summarize(e.data)}`);
  const link = incidentLink(deps.publicUrl, incidentId);
  return { incident: explained.incident, explanation: lines, severity, event: 'trigger', ...(link ? { link } : {}) };
}

/** One explanation entry in a line: the keys a person reads first, at most 300 characters. */
function summarize(data: Record<string, unknown>): string {
  const pick = ['description', 'action', 'detail', 'reason', 'cause', 'matched', 'status', 'outcome'].filter((key) => data[key] !== undefined && data[key] !== null);
  return pick.map((key) => `${key}=${typeof data[key] === 'string' ? data[key] : JSON.stringify(data[key])}`).join(' ').slice(0, 300);
}
