import { HomeostatError } from '../errors/homeostat-error.js';
import type { Diagnosis, DiagnosisCandidate, FaultClassification } from './symptom.js';

/**
 * A stored diagnosis that is not one: not JSON, or JSON that lacks what a {@link Diagnosis}
 * has. The message says which field is wrong, so a reader can tell a damaged row from a
 * bug in a writer.
 *
 * @example decodeDiagnosis('{"cause":1}') // throws: diagnosis.cause is not a string
 */
export class DiagnosisDecodeError extends HomeostatError {
  constructor(message: string, cause?: unknown) {
    super('HS_DIAGNOSIS_MALFORMED', message, { retryable: false, cause });
  }
}

const CLASSIFICATIONS: ReadonlySet<string> = new Set<FaultClassification>(['transient', 'persistent', 'byzantine']);
const CANDIDATE_KINDS: ReadonlySet<string> = new Set<DiagnosisCandidate['kind']>(['element', 'config']);

/**
 * The one text form of a diagnosis (what `IncidentRecord.diagnosis` holds). Only the fields
 * of {@link Diagnosis} are kept, keys in sorted order at every depth: equal diagnoses give
 * equal text. The diagnosis is validated first, so nothing unreadable is ever stored.
 *
 * @example encodeDiagnosis({ cause: 'process-crashed', confidence: 1, evidence: [] }) // '{"cause":"process-crashed","confidence":1,"evidence":[]}'
 * @example encodeDiagnosis({ cause: 'x', confidence: Number.NaN, evidence: [] }) // throws DiagnosisDecodeError
 */
export function encodeDiagnosis(diagnosis: Diagnosis): string {
  return JSON.stringify(diagnosisOf(diagnosis, 'diagnosis'));
}

/**
 * The diagnosis `text` holds (written by {@link encodeDiagnosis}); throws
 * {@link DiagnosisDecodeError} naming the first field that is wrong.
 *
 * @example decodeDiagnosis('{"cause":"process-crashed","confidence":1,"evidence":[]}').cause // 'process-crashed'
 * @example decodeDiagnosis('not json') // throws DiagnosisDecodeError: the stored diagnosis is not JSON
 */
export function decodeDiagnosis(text: string): Diagnosis {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DiagnosisDecodeError(`the stored diagnosis is not JSON: ${(error as Error).message}`, error);
  }
  return diagnosisOf(parsed, 'diagnosis');
}

/**
 * The diagnosis a stored column holds, for readers that carry on without one: undefined
 * when there is none (not diagnosed yet) or when it does not decode.
 *
 * @example storedDiagnosis(incident.diagnosis)?.classification // 'persistent'
 * @example storedDiagnosis(null) // undefined
 */
export function storedDiagnosis(text: string | null): Diagnosis | undefined {
  if (text === null) return undefined;
  try {
    return decodeDiagnosis(text);
  } catch {
    return undefined;
  }
}

/** Keys are listed in sorted order: the text is the same as the canonical JSON of the same value. */
function diagnosisOf(value: unknown, path: string): Diagnosis {
  const object = objectAt(value, path);
  const candidates = object.candidates === undefined ? undefined : arrayAt(object.candidates, `${path}.candidates`).map((c, i) => candidateOf(c, `${path}.candidates[${i}]`));
  const classification = object.classification === undefined ? undefined : classificationOf(object.classification, `${path}.classification`);
  return {
    ...(candidates ? { candidates } : {}),
    cause: stringAt(object.cause, `${path}.cause`),
    ...(classification ? { classification } : {}),
    confidence: numberAt(object.confidence, `${path}.confidence`),
    evidence: stringsAt(object.evidence, `${path}.evidence`),
  };
}

function candidateOf(value: unknown, path: string): DiagnosisCandidate {
  const object = objectAt(value, path);
  const kind = stringAt(object.kind, `${path}.kind`);
  if (!CANDIDATE_KINDS.has(kind)) throw new DiagnosisDecodeError(`${path}.kind is "${kind}", not one of ${[...CANDIDATE_KINDS].join(', ')}`);
  return {
    confidence: numberAt(object.confidence, `${path}.confidence`),
    element: stringAt(object.element, `${path}.element`),
    evidence: stringsAt(object.evidence, `${path}.evidence`),
    kind: kind as DiagnosisCandidate['kind'],
    score: numberAt(object.score, `${path}.score`),
    ...(object.version === undefined ? {} : { version: numberAt(object.version, `${path}.version`) }),
  };
}

function classificationOf(value: unknown, path: string): FaultClassification {
  const text = stringAt(value, path);
  if (!CLASSIFICATIONS.has(text)) throw new DiagnosisDecodeError(`${path} is "${text}", not one of ${[...CLASSIFICATIONS].join(', ')}`);
  return text as FaultClassification;
}

function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DiagnosisDecodeError(`${path} is not an object`);
  return value as Record<string, unknown>;
}

function arrayAt(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new DiagnosisDecodeError(`${path} is not a list`);
  return value;
}

function stringAt(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new DiagnosisDecodeError(`${path} is not a string`);
  return value;
}

function numberAt(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new DiagnosisDecodeError(`${path} is not a finite number`);
  return value;
}

function stringsAt(value: unknown, path: string): string[] {
  return arrayAt(value, path).map((item, i) => stringAt(item, `${path}[${i}]`));
}
