import { incidentHealth, type IncidentHealthDeps } from '../execute/incident-health.js';
import type { IncidentHealthCheck } from './autonomic-loop.js';

/**
 * The loop's {@link IncidentHealthCheck} over verification's own rule
 * (`src/execute/incident-health.ts`): healthy now when every symptom joined to the incident
 * has cleared where it was observed and its target is healthy — the same test a verified
 * action must pass, so an incident is never resolved externally on less than it would be by
 * an action. Checked once, now: a slow retry is no verification window.
 *
 * @example const check = symptomsClearedHealth({ knowledge, control, symptomCleared }); await check(incident) // { healthy: false, detail: 'redis probes failing (process-crashed)' }
 */
export function symptomsClearedHealth(deps: IncidentHealthDeps): IncidentHealthCheck {
  return async (incident) => {
    const health = await incidentHealth(deps, incident.id, { target: incident.element });
    if (!(await health.check())) return { healthy: false, detail: health.failing() };
    const cleared = [...new Set(health.symptoms().map((s) => `${s.name} on ${s.element}`))].join(', ');
    return { healthy: true, detail: `every symptom cleared (${cleared}) and ${incident.element} healthy` };
  };
}
