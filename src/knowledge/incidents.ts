import { randomUUID } from 'node:crypto';
import { encodeDiagnosis } from '../analyze/diagnosis-codec.js';
import type { Diagnosis } from '../analyze/symptom.js';
import type { IncidentEntryKind, IncidentEntryRecord, IncidentFilter, IncidentRecord, IncidentResolution, IncidentStatus, RemediationReference } from '../store/records.js';
import type { KnowledgeStore } from '../store/store.js';
import type { AuditLog } from './audit-log.js';
import { canonicalJson } from './canonical-json.js';
import { redact } from './redact.js';

/** What opens an incident: the first symptom of a problem. */
export interface NewIncident {
  /** De-duplication key; a symptom with the key of an unresolved incident joins it. */
  key: string;
  element: string;
  symptom: string;
  summary: string;
}

/** Told of a resolution: the incident as it was written, resolved. */
export type ResolvedListener = (incident: IncidentRecord) => void;

/** An incident with its explanation chain, entries parsed, oldest first. */
export interface IncidentExplanation {
  incident: IncidentRecord;
  entries: { id: number; at: number; kind: IncidentEntryKind; data: Record<string, unknown> }[];
}

/**
 * Incidents and their explanation chains (signals → symptoms → diagnosis → policy →
 * guard results → actions → verification → outcome). Every entry is redacted before
 * it is written; opening, status changes and resolution are also audited.
 *
 * @example
 * const { incident, created } = await incidents.open({ key: 'api:crash', element: 'api', symptom: 'process-crashed', summary: 'api#0 exited with code 1' });
 * await incidents.record(incident.id, 'action', { kind: 'restart', target: 'api#0' });
 * @example
 * await incidents.record('missing', 'note', {}); // writes an entry for an unknown id: callers pass ids they opened
 */
export class Incidents {
  private readonly resolvedListeners = new Set<ResolvedListener>();

  constructor(
    private readonly store: KnowledgeStore,
    private readonly audit: AuditLog,
    private readonly now: () => number = Date.now,
  ) {}

  async open(incident: NewIncident, signal?: Record<string, unknown>): Promise<{ incident: IncidentRecord; created: boolean }> {
    const at = this.now();
    const result = await this.store.openIncident({
      id: `inc-${randomUUID().slice(0, 8)}`,
      key: incident.key,
      element: incident.element,
      symptom: incident.symptom,
      status: 'open',
      summary: incident.summary,
      diagnosis: null,
      openedAt: at,
      updatedAt: at,
      resolvedAt: null,
      resolution: null,
      resolvedBy: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      remediation: null,
    });
    if (result.created) await this.audit.append('controller', 'incident.opened', result.incident.id, { key: incident.key, element: incident.element, symptom: incident.symptom, summary: incident.summary });
    if (signal) await this.record(result.incident.id, 'signal', signal);
    return result;
  }

  get(id: string): Promise<IncidentRecord | undefined> {
    return this.store.getIncident(id);
  }

  /** Newest first. */
  list(filter?: IncidentFilter): Promise<IncidentRecord[]> {
    return this.store.listIncidents(filter);
  }

  /** Append one entry to the explanation chain. */
  async record(incidentId: string, kind: IncidentEntryKind, data: Record<string, unknown>): Promise<void> {
    await this.store.appendIncidentEntries([{ incidentId, at: this.now(), kind, data: canonicalJson(redact(data)) }]);
  }

  /** Append several entries in one store write (a burst of signals). */
  async recordMany(incidentId: string, entries: { kind: IncidentEntryKind; data: Record<string, unknown> }[]): Promise<void> {
    if (entries.length === 0) return;
    const at = this.now();
    await this.store.appendIncidentEntries(entries.map((e) => ({ incidentId, at, kind: e.kind, data: canonicalJson(redact(e.data)) })));
  }

  /** Move an unresolved incident along (`resolve` ends it: it must say how and by whom). */
  async setStatus(id: string, status: Exclude<IncidentStatus, 'resolved'>, summary?: string): Promise<IncidentRecord | undefined> {
    // Never over a resolution: a slow retry or a run that races an operator's close loses.
    const updated = await this.store.updateIncident(id, { status, updatedAt: this.now(), unlessResolved: true, ...(summary !== undefined ? { summary } : {}) });
    if (updated) await this.audit.append('controller', `incident.${status}`, id, summary !== undefined ? { summary } : {});
    return updated;
  }

  /**
   * Resolve an incident, saying how ({@link IncidentResolution}) and by whom: the action
   * that healed it, or the operator who closed it (`by` null when it recovered externally).
   * Audited under `actor`: the controller, or the operator.
   * @example await incidents.resolve(id, { resolution: 'action', by: 'restart api#0', summary: 'restart api#0 helped: healthy for 2000 ms' })
   * @example await incidents.resolve(id, { resolution: 'operator', by: 'alice', actor: 'alice', summary: 'closed by alice: fixed the disk by hand' })
   */
  async resolve(id: string, how: { resolution: IncidentResolution; by: string | null; summary: string; actor?: string }): Promise<IncidentRecord | undefined> {
    const at = this.now();
    // The first resolution stands: a second one (an operator's close racing a verified action, two controllers) changes nothing and returns undefined.
    const updated = await this.store.updateIncident(id, { status: 'resolved', updatedAt: at, resolvedAt: at, summary: how.summary, resolution: how.resolution, resolvedBy: how.by, unlessResolved: true });
    if (updated) {
      await this.audit.append(how.actor ?? 'controller', 'incident.resolved', id, { summary: how.summary, resolution: how.resolution, by: how.by });
      for (const listener of this.resolvedListeners) {
        try {
          listener(updated);
        } catch {
          // A listener's failure is its own (it logs it): the resolution is written and stands.
        }
      }
    }
    return updated;
  }

  /**
   * Be told of every resolution written through {@link resolve} (an action, externally, an
   * operator's close), after it is stored and audited. Listeners are called synchronously
   * and must not throw; work they start is theirs (the escalation notifier sends resolves).
   * Returns the function that unsubscribes.
   * @example const off = incidents.onResolved((incident) => void notifier.resolved(incident.id));
   */
  onResolved(listener: ResolvedListener): () => void {
    this.resolvedListeners.add(listener);
    return () => this.resolvedListeners.delete(listener);
  }

  /**
   * Re-open a resolved incident: its symptom came back soon after (see
   * `correlation.reopenWithin`). `detail` goes to the explanation as a `note` with
   * `reopened: true` (incident times count a re-opened incident's repair from there). When
   * another incident of its key is unresolved, nothing changes and that one is returned
   * (`reopened: false`): the symptom joins it instead.
   */
  async reopen(id: string, detail: string, data: Record<string, unknown> = {}): Promise<{ incident: IncidentRecord; reopened: boolean } | undefined> {
    const result = await this.store.reopenIncident(id, this.now());
    if (result?.reopened) {
      await this.audit.append('controller', 'incident.reopened', id, { detail });
      await this.record(id, 'note', { ...data, reopened: true, detail });
    }
    return result;
  }

  /**
   * Point the incident at another element: correlation found its root cause there (a
   * dependency's symptom came after its dependent's). The key stays, so the incident stays one.
   */
  async retarget(id: string, element: string, detail: string): Promise<IncidentRecord | undefined> {
    const updated = await this.store.updateIncident(id, { element, updatedAt: this.now() });
    if (updated) {
      await this.audit.append('controller', 'incident.retargeted', id, { element, detail });
      await this.record(id, 'note', { retargeted: element, detail });
    }
    return updated;
  }

  /**
   * Make `reference` the incident's current remediation run (see `RemediationReference`):
   * written when a cycle is planned, before its run is started.
   */
  async setRemediation(id: string, reference: RemediationReference): Promise<IncidentRecord | undefined> {
    return this.store.updateIncident(id, { remediation: reference, updatedAt: this.now() });
  }

  /** Store the incident's diagnosis (redacted, in the one text form of diagnosis-codec.ts) and add it to the explanation. */
  async setDiagnosis(id: string, diagnosis: Diagnosis): Promise<void> {
    await this.store.updateIncident(id, { diagnosis: encodeDiagnosis(redact(diagnosis)), updatedAt: this.now() });
    await this.record(id, 'diagnosis', { ...diagnosis });
  }

  async explain(id: string): Promise<IncidentExplanation | undefined> {
    const incident = await this.store.getIncident(id);
    if (!incident) return undefined;
    const entries = await this.store.listIncidentEntries(id);
    return { incident, entries: entries.map(parseEntry) };
  }
}

function parseEntry(entry: IncidentEntryRecord): IncidentExplanation['entries'][number] {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(entry.data) as Record<string, unknown>;
  } catch {
    data = { text: entry.data };
  }
  return { id: entry.id, at: entry.at, kind: entry.kind, data };
}
