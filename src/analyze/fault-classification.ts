import type { FaultClassification, Symptom } from './symptom.js';

/** An earlier incident on the same element, as the classification needs it. */
export interface PastIncident {
  id: string;
  symptom: string;
  openedAt: number;
  resolvedAt: number | null;
  /** Whether a restart (or stop-start) was the action that resolved it. */
  resolvedByRestart: boolean;
}

export interface ClassificationInput {
  /** The root-cause element. */
  element: string;
  /** Its replicas now. */
  replicas: number;
  /** The incident's symptoms. */
  symptoms: Symptom[];
  /** Earlier incidents on the element (any order). */
  history: PastIncident[];
  /** When restarts of the element were executed within this incident (ms). */
  restartsInIncident: number[];
  /** When this incident opened (ms). */
  openedAt: number;
  /** A fault that comes back within this long of a restart that "fixed" it is persistent (default 10 min). */
  recurrenceWindowMs?: number;
}

/** Symptoms of an element that stopped working as a whole, which a single replica can show without disagreeing with its peers. */
const FAIL_STOP = new Set(['process-crashed', 'liveness-failing', 'crash-looping', 'spawn-failed', 'resource-breach']);

/**
 * Transient, persistent or byzantine, from the incident's and the element's history:
 * - persistent: it recurs after a restart — a crash loop, a symptom after a restart in this
 *   incident, or an earlier incident on the element that a restart resolved not long ago;
 * - byzantine: one replica of several disagrees with its peers (only it shows an error rate,
 *   a latency, a failing readiness), while they are fine — restarting it may not help, and
 *   it answers inconsistently meanwhile;
 * - transient otherwise: one repair is expected to hold.
 *
 * @example classifyFault({ element: 'api', replicas: 2, symptoms: [errorsOnApi1], history: [], restartsInIncident: [], openedAt }) // { classification: 'byzantine', … }
 * @example classifyFault({ …, symptoms: [crashLooping] }) // { classification: 'persistent', reason: 'api is crash-looping: …' }
 */
export function classifyFault(input: ClassificationInput): { classification: FaultClassification; reason: string } {
  const window = input.recurrenceWindowMs ?? 600_000;
  const own = input.symptoms.filter((s) => s.element === input.element);
  if (own.some((s) => s.name === 'crash-looping')) return { classification: 'persistent', reason: `${input.element} is crash-looping: it fails again after every restart` };
  const firstRestart = input.restartsInIncident.length > 0 ? Math.min(...input.restartsInIncident) : undefined;
  const after = firstRestart === undefined ? undefined : own.find((s) => s.at > firstRestart);
  if (after) return { classification: 'persistent', reason: `${after.name} came back on ${after.instance ?? after.element} after the restart` };
  const recurred = input.history
    .filter((past) => past.resolvedByRestart && past.resolvedAt !== null && past.resolvedAt <= input.openedAt && input.openedAt - past.resolvedAt <= window)
    .sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0))[0];
  if (recurred) {
    return { classification: 'persistent', reason: `incident ${recurred.id} (${recurred.symptom}) on ${input.element} was resolved by a restart ${((input.openedAt - recurred.resolvedAt!) / 1_000).toFixed(0)} s before this one opened: it recurs after a restart` };
  }
  const instances = new Set(own.map((s) => s.instance).filter((i): i is string => i !== undefined));
  if (input.replicas >= 2 && instances.size === 1 && own.length > 0 && own.every((s) => s.instance !== undefined && !FAIL_STOP.has(s.name))) {
    const [instance] = [...instances];
    return { classification: 'byzantine', reason: `only ${instance} of ${input.replicas} replicas shows ${[...new Set(own.map((s) => s.name))].join(', ')}: it disagrees with its peers` };
  }
  return { classification: 'transient', reason: 'no recurrence after a restart and no replica disagreeing with its peers' };
}
