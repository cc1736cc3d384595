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

/** One ranked root-cause candidate: an element, or a config version applied to one. */
export interface DiagnosisCandidate {
  /** The service (for `kind: 'config'`, the service whose config changed). */
  element: string;
  kind: 'element' | 'config';
  score: number;
  /** Its share of the candidates' total score, 0..1. */
  confidence: number;
  evidence: string[];
  /** For `kind: 'config'`: the config version. */
  version?: number;
}

/** Transient (gone after one repair), persistent (recurs after a restart), byzantine (one replica disagrees with its peers). */
export type FaultClassification = 'transient' | 'persistent' | 'byzantine';

/** The cause the analysis settled on, with the evidence for it and the alternatives. */
export interface Diagnosis {
  /** What went wrong on the root cause: its own symptom (`process-crashed`), `config-change`, or `metric-anomaly`. */
  cause: string;
  confidence: number;
  evidence: string[];
  /** Best first: `candidates[0]` is the root cause the incident targets. */
  candidates?: DiagnosisCandidate[];
  classification?: FaultClassification;
}

/** What the loop knows about the incident being diagnosed, beyond its symptoms. */
export interface DiagnosisContext {
  incidentId: string;
  /** When the incident opened (ms). */
  openedAt: number;
  /** Opened just now: nothing has been done about it yet (no actions to look up). */
  fresh?: boolean;
}

/**
 * Turns an incident's symptoms into a diagnosis. The loop needs only this one method.
 * @example const diagnoser: Diagnoser = { diagnose: async ([first]) => ({ cause: first!.name, confidence: 1, evidence: [] }) };
 * @example await symptomDiagnoser.diagnose([]) // { cause: 'unknown', confidence: 0, … }
 */
export interface Diagnoser {
  diagnose(symptoms: Symptom[], context?: DiagnosisContext): Promise<Diagnosis>;
}

/** The plain diagnosis: the cause is the first symptom itself (crash → `process-crashed`) on its element. */
export const symptomDiagnoser: Diagnoser = {
  async diagnose(symptoms) {
    const first = symptoms[0];
    if (!first) return { cause: 'unknown', confidence: 0, evidence: ['no symptoms'], candidates: [] };
    const evidence = symptoms.slice(0, 5).map(describeSymptom);
    return { cause: first.name, confidence: 1, evidence, candidates: [{ element: first.element, kind: 'element', score: 1, confidence: 1, evidence }] };
  },
};

export function describeSymptom(symptom: Symptom): string {
  const where = symptom.instance ?? symptom.element;
  const detail = typeof symptom.signal.message === 'string' ? `: ${symptom.signal.message}` : '';
  return `${symptom.name} on ${where}${detail}`;
}
