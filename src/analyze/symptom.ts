import type { ElementEvent } from '../supervisor/element-events.js';

/** Something observed to be wrong with an element: what incidents are opened from. */
export interface Symptom {
  /** `process-crashed`, `liveness-failing`, `crash-looping`, `resource-breach`, `spawn-failed`, or a metric rule's name. */
  name: string;
  /** The service. */
  element: string;
  /** The replica, when it is about one. */
  instance?: string;
  at: number;
  /** Labels policies can match (`resource: memory`, …). */
  labels: Record<string, string>;
  /** The raw signal it came from (an element event, a metric reading). */
  signal: Record<string, unknown>;
}

/** The cause the analysis settled on, with the evidence for it and the alternatives. */
export interface Diagnosis {
  cause: string;
  confidence: number;
  evidence: string[];
  candidates?: { cause: string; score: number }[];
}

/**
 * Turns an incident's symptoms into a diagnosis. Issue 6 brings root-cause ranking; the
 * loop needs only this one method.
 * @example const diagnoser: Diagnoser = { diagnose: async ([first]) => ({ cause: first!.name, confidence: 1, evidence: [] }) };
 * @example await symptomDiagnoser.diagnose([]) // { cause: 'unknown', confidence: 0, … }
 */
export interface Diagnoser {
  diagnose(symptoms: Symptom[]): Promise<Diagnosis>;
}

/** The plain diagnosis: the cause is the first symptom itself (crash → `process-crashed`). */
export const symptomDiagnoser: Diagnoser = {
  async diagnose(symptoms) {
    const first = symptoms[0];
    if (!first) return { cause: 'unknown', confidence: 0, evidence: ['no symptoms'] };
    const names = [...new Set(symptoms.map((s) => s.name))];
    return { cause: first.name, confidence: 1 / names.length, evidence: symptoms.slice(0, 5).map(describeSymptom), candidates: names.map((cause, i) => ({ cause, score: i === 0 ? 1 : 0.5 })) };
  },
};

export function describeSymptom(symptom: Symptom): string {
  const where = symptom.instance ?? symptom.element;
  const detail = typeof symptom.signal.message === 'string' ? `: ${symptom.signal.message}` : '';
  return `${symptom.name} on ${where}${detail}`;
}

/**
 * The symptom an element event is, if any (a crash, a failing liveness probe, a crash
 * loop, a resource breach, a spawn failure).
 * @example symptomOf({ kind: 'process-exited', code: 1, reason: 'exited', … }) // { name: 'process-crashed', … }
 * @example symptomOf({ kind: 'process-spawned', … }) // undefined
 */
export function symptomOf(event: ElementEvent): Symptom | undefined {
  const base = { element: event.element, at: event.at, signal: { ...event } as Record<string, unknown> };
  switch (event.kind) {
    case 'process-exited':
      if (event.reason === 'stopped' || event.reason === 'requested') return undefined;
      if (event.reason === 'liveness' || event.reason === 'startup') return { ...base, name: 'liveness-failing', instance: event.instance, labels: { probe: event.reason } };
      if (event.reason === 'memory') return { ...base, name: 'resource-breach', instance: event.instance, labels: { resource: 'memory' } };
      if (event.code === 0 && event.signal === null) return undefined;
      return { ...base, name: 'process-crashed', instance: event.instance, labels: { code: String(event.code ?? event.signal) } };
    case 'probe-changed':
      if (event.to !== 'failing') return undefined;
      return { ...base, name: event.probe === 'readiness' ? 'readiness-failing' : 'liveness-failing', instance: event.instance, labels: { probe: event.probe } };
    case 'crash-looping':
      return { ...base, name: 'crash-looping', instance: event.instance, labels: {} };
    case 'resource-breach':
      return { ...base, name: 'resource-breach', instance: event.instance, labels: { resource: event.resource } };
    case 'spawn-failed':
      return { ...base, name: 'spawn-failed', instance: event.instance, labels: {} };
    default:
      return undefined;
  }
}
