import type { IncidentEntryKind, IncidentRecord, IncidentStatus } from '../../store/records.js';
import { closedObject, nullableNumber, nullableText, number, oneOf, openObject, text, type JsonSchema } from './json-schema.js';

const INCIDENT_STATUSES: readonly IncidentStatus[] = ['open', 'remediating', 'awaiting-approval', 'escalated', 'resolved'];
const ENTRY_KINDS: readonly IncidentEntryKind[] = ['signal', 'symptom', 'diagnosis', 'policy', 'guard', 'approval', 'evidence', 'intent', 'action', 'verification', 'escalation', 'dead-letter', 'outcome', 'note'];

/** An incident; `diagnosis` is the JSON text stored (the incident's detail answer adds it parsed). */
export const incidentSchema = closedObject({
  id: text,
  key: text,
  element: text,
  symptom: text,
  status: oneOf(INCIDENT_STATUSES),
  summary: text,
  diagnosis: nullableText,
  openedAt: number,
  updatedAt: number,
  resolvedAt: nullableNumber,
  resolution: { type: ['string', 'null'], enum: ['action', 'external', 'operator', null] },
  resolvedBy: nullableText,
  acknowledgedAt: nullableNumber,
  acknowledgedBy: nullableText,
  remediation: { ...closedObject({ runId: text, cycle: number }), type: ['object', 'null'], description: 'its current remediation run, null until the loop plans one' },
});

export function incidentShape(incident: IncidentRecord) {
  return {
    id: incident.id,
    key: incident.key,
    element: incident.element,
    symptom: incident.symptom,
    status: incident.status,
    summary: incident.summary,
    diagnosis: incident.diagnosis,
    openedAt: incident.openedAt,
    updatedAt: incident.updatedAt,
    resolvedAt: incident.resolvedAt,
    resolution: incident.resolution,
    resolvedBy: incident.resolvedBy,
    acknowledgedAt: incident.acknowledgedAt,
    acknowledgedBy: incident.acknowledgedBy,
    remediation: incident.remediation && { runId: incident.remediation.runId, cycle: incident.remediation.cycle },
  };
}

/** One step of an incident's explanation chain; `data` is what the loop recorded (redacted). */
export const incidentEntrySchema: JsonSchema = closedObject({ id: number, at: number, kind: oneOf(ENTRY_KINDS), data: openObject });

export function incidentEntryShape(entry: { id: number; at: number; kind: IncidentEntryKind; data: Record<string, unknown> }) {
  return { id: entry.id, at: entry.at, kind: entry.kind, data: entry.data };
}
