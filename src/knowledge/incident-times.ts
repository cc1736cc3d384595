import type { IncidentExplanation } from './incidents.js';

/** How long an incident took to be detected and to be repaired, from its own symptoms. */
export interface IncidentTimes {
  /** The earliest symptom of the incident (its onset). */
  onset: number;
  /** Opened − onset (MTTD), in ms; never negative. */
  detectMs: number;
  /**
   * Resolved − the symptom the repair is counted from (MTTR), in ms; undefined while
   * unresolved. The onset, or for a re-opened incident the symptom that re-opened it:
   * the earlier repair held until then, and a second outage is counted on its own.
   */
  repairMs?: number;
  /** Where the repair is counted from (the onset, or the re-opening symptom). */
  repairFrom: number;
}

/**
 * An incident's detection and repair times, computed from its explanation alone: its
 * `symptom` entries (each carries when the symptom happened, `data.at`) and the `note`
 * entries that re-opened it (`reopened: true`, `at` the re-opening symptom's time). Not from
 * what a process remembered per element, which goes stale across incidents and restarts.
 *
 * @example incidentTimes(await knowledge.incidents.explain(id)) // { onset, detectMs: 120, repairMs: 4000, repairFrom: onset }
 * @example incidentTimes({ incident, entries: [] }) // no symptom recorded: counted from when it opened
 */
export function incidentTimes(explained: IncidentExplanation): IncidentTimes {
  const { incident, entries } = explained;
  const symptomTimes = entries.filter((e) => e.kind === 'symptom').map((e) => (typeof e.data.at === 'number' ? e.data.at : e.at));
  const onset = Math.min(incident.openedAt, ...symptomTimes);
  const reopening = entries.filter((e) => e.kind === 'note' && e.data.reopened === true).at(-1);
  const repairFrom = reopening ? (typeof reopening.data.at === 'number' ? reopening.data.at : reopening.at) : onset;
  const times: IncidentTimes = { onset, detectMs: Math.max(0, incident.openedAt - onset), repairFrom };
  if (incident.status === 'resolved' && incident.resolvedAt !== null) times.repairMs = Math.max(0, incident.resolvedAt - repairFrom);
  return times;
}
