import type { ElementControl } from '../execute/element-control.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { IncidentHealthCheck } from './autonomic-loop.js';

/**
 * The runtime's {@link IncidentHealthCheck} until the finer one (every symptom joined to the
 * incident cleared, `src/execute/incident-health.ts`) replaces it: every element with a
 * symptom in the incident passes its probes, and no `symptoms:` rule named by one of its
 * symptoms is firing on that element. An incident with no recorded symptom is judged by
 * the symptom and element it opened with.
 *
 * @example const incidentHealth = symptomsClearedHealth({ knowledge, control, isFiring: (rule, service) => watch.isFiring(rule, service) });
 * @example await incidentHealth(incident) // { healthy: false, detail: 'redis not healthy' }
 */
export function symptomsClearedHealth(deps: { knowledge: Knowledge; control: Pick<ElementControl, 'isHealthy'>; isFiring: (rule: string, service: string) => boolean }): IncidentHealthCheck {
  return async (incident) => {
    const entries = (await deps.knowledge.incidents.explain(incident.id))?.entries ?? [];
    const symptoms = entries
      .filter((e) => e.kind === 'symptom' && typeof e.data.name === 'string')
      .map((e) => ({ name: String(e.data.name), element: typeof e.data.element === 'string' ? e.data.element : incident.element }));
    if (symptoms.length === 0) symptoms.push({ name: incident.symptom, element: incident.element });
    const elements = [...new Set(symptoms.map((s) => s.element))];
    const unhealthy = elements.filter((element) => !deps.control.isHealthy(element));
    if (unhealthy.length > 0) return { healthy: false, detail: `${unhealthy.join(', ')} not healthy` };
    const firing = symptoms.filter((s) => deps.isFiring(s.name, s.element));
    if (firing.length > 0) return { healthy: false, detail: `${firing.map((s) => `${s.name} on ${s.element}`).join(', ')} still firing` };
    return { healthy: true, detail: `${elements.join(', ')} healthy again and no symptom of it firing` };
  };
}
