import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDiagnosis, DiagnosisDecodeError, encodeDiagnosis, storedDiagnosis } from './diagnosis-codec.js';
import type { Diagnosis } from './symptom.js';
import { canonicalJson } from '../knowledge/canonical-json.js';

const full: Diagnosis = {
  cause: 'config-change',
  confidence: 0.6,
  evidence: ['root cause: config version 3 of db', 'persistent: recurs after restarts'],
  candidates: [
    { element: 'db', kind: 'config', version: 3, score: 1.4, confidence: 0.6, evidence: ['config version 3 changed db'] },
    { element: 'db', kind: 'element', score: 0.9, confidence: 0.4, evidence: ['its own symptom: liveness-failing on db#0'] },
  ],
  classification: 'persistent',
};

test('a diagnosis survives encoding and decoding unchanged, with and without its optional fields', () => {
  assert.deepEqual(decodeDiagnosis(encodeDiagnosis(full)), full);
  const plain: Diagnosis = { cause: 'process-crashed', confidence: 1, evidence: [] };
  assert.deepEqual(decodeDiagnosis(encodeDiagnosis(plain)), plain);
});

test('the text is the canonical JSON of the diagnosis: equal diagnoses give equal text', () => {
  assert.equal(encodeDiagnosis(full), canonicalJson(full));
  const reordered: Diagnosis = { classification: 'persistent', candidates: full.candidates!, evidence: full.evidence, confidence: 0.6, cause: 'config-change' };
  assert.equal(encodeDiagnosis(reordered), encodeDiagnosis(full));
});

test('fields a diagnosis does not have are not stored', () => {
  const extra = { ...full, note: 'not part of a diagnosis' } as Diagnosis;
  assert.equal(JSON.parse(encodeDiagnosis(extra)).note, undefined);
});

test('malformed text is a DiagnosisDecodeError that names what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['not json', /not JSON/],
    ['[1]', /diagnosis is not an object/],
    ['{"confidence":1,"evidence":[]}', /diagnosis\.cause is not a string/],
    ['{"cause":"x","confidence":"high","evidence":[]}', /diagnosis\.confidence is not a finite number/],
    ['{"cause":"x","confidence":1,"evidence":[2]}', /diagnosis\.evidence\[0\] is not a string/],
    ['{"cause":"x","confidence":1,"evidence":[],"classification":"odd"}', /diagnosis\.classification is "odd"/],
    ['{"cause":"x","confidence":1,"evidence":[],"candidates":[{"element":"db","kind":"node","score":1,"confidence":1,"evidence":[]}]}', /diagnosis\.candidates\[0\]\.kind is "node"/],
    ['{"cause":"x","confidence":1,"evidence":[],"candidates":[{"kind":"element","score":1,"confidence":1,"evidence":[]}]}', /diagnosis\.candidates\[0\]\.element is not a string/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => decodeDiagnosis(text), (error: unknown) => error instanceof DiagnosisDecodeError && error.code === 'HS_DIAGNOSIS_MALFORMED' && message.test(error.message), text);
  }
});

test('a diagnosis that could not be read back is refused before it is written', () => {
  assert.throws(() => encodeDiagnosis({ cause: 'x', confidence: Number.NaN, evidence: [] }), /diagnosis\.confidence is not a finite number/);
});

test('storedDiagnosis: none and unreadable are both undefined, a stored one is decoded', () => {
  assert.equal(storedDiagnosis(null), undefined);
  assert.equal(storedDiagnosis('{"cause":1}'), undefined);
  assert.deepEqual(storedDiagnosis(encodeDiagnosis(full)), full);
});
