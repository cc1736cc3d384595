import type { Knowledge } from '../../knowledge/knowledge.js';

/** The `source` labels the alert receiver sets on the symptoms it raises. */
const ALERT_SOURCES = new Set(['alertmanager', 'webhook']);

/**
 * The alert symptoms of the incidents still open, handed to the alert receiver as assumed
 * firing: its memory of firing alerts starts empty in a new process (or a new leader), and
 * Alertmanager re-sends a firing alert only at its next `repeat_interval`. Without this, a
 * restart would let verification or a slow retry take those symptoms for cleared and
 * resolve their incidents externally while the alert still fires. Returns how many.
 *
 * @example await assumeOpenAlertSymptoms(knowledge, alerts) // 2 (HighErrors on web, QueueStuck on worker)
 */
export async function assumeOpenAlertSymptoms(knowledge: Knowledge, alerts: { assumeFiring(service: string, symptom: string): void }): Promise<number> {
  let assumed = 0;
  for (const incident of await knowledge.incidents.list({ unresolved: true, limit: 1_000 })) {
    for (const entry of (await knowledge.incidents.explain(incident.id))?.entries ?? []) {
      if (entry.kind !== 'symptom' || typeof entry.data.name !== 'string' || typeof entry.data.element !== 'string') continue;
      const labels = entry.data.labels as Record<string, unknown> | undefined;
      if (typeof labels?.source !== 'string' || !ALERT_SOURCES.has(labels.source)) continue;
      alerts.assumeFiring(entry.data.element, entry.data.name);
      assumed++;
    }
  }
  return assumed;
}
