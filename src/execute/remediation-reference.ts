import type { IncidentRecord, RemediationReference, RunRecord } from '../store/records.js';
import type { RemediationInput } from './remediation-workflow.js';

/**
 * The reference of remediation cycle `cycle` of `incident`. The run id is readable and
 * stable (`remediate:<incident key>:<incident>:<cycle>`): starting the same cycle twice —
 * the loop resuming after a crash — starts one run. It is built here only and never taken
 * apart: who needs the incident of a run reads {@link incidentOfRun}, who needs the run of
 * an incident reads `IncidentRecord.remediation`. (Migration 0010 relies on this form once,
 * to give incidents from before it their reference.)
 *
 * @example remediationReference({ key: 'db', id: 'inc-1a2b3c4d' }, 0) // { runId: 'remediate:db:inc-1a2b3c4d:0', cycle: 0 }
 */
export function remediationReference(incident: Pick<IncidentRecord, 'key' | 'id'>, cycle: number): RemediationReference {
  return { runId: `remediate:${incident.key}:${incident.id}:${cycle}`, cycle };
}

/**
 * The incident a remediation run is for, from its input (every remediation run carries its
 * incident's id there); undefined for a run without one (another workflow's).
 *
 * @example incidentOfRun(await engine.getRun(event.runId)) // 'inc-1a2b3c4d'
 */
export function incidentOfRun(run: Pick<RunRecord, 'input'> | undefined): string | undefined {
  if (!run?.input) return undefined;
  try {
    const input = JSON.parse(run.input) as Partial<RemediationInput> | null;
    return typeof input?.incidentId === 'string' ? input.incidentId : undefined;
  } catch {
    return undefined;
  }
}
