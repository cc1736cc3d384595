import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiSchema } from '../config/schema/api.js';
import { encodeDiagnosis } from '../analyze/diagnosis-codec.js';
import type { Diagnosis } from '../analyze/symptom.js';
import type { IncidentRecord } from '../store/records.js';
import { incidentLink, jsonPayload, pagerDutyPayload, slackPayload, type EscalationMessage } from './escalation-payloads.js';

const diagnosis: Diagnosis = { cause: 'process-crashed', confidence: 0.9, evidence: ['its own symptom: process-crashed on api#0'], candidates: [{ element: 'api', kind: 'element', score: 1, confidence: 0.9, evidence: [] }] };
const incident: IncidentRecord = {
  id: 'inc-1a2b3c4d',
  key: 'api',
  element: 'api',
  symptom: 'process-crashed',
  status: 'escalated',
  summary: 'no action helped; escalated, retrying slowly',
  diagnosis: encodeDiagnosis(diagnosis),
  openedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
  updatedAt: Date.UTC(2026, 0, 2, 3, 5, 0),
  resolvedAt: null,
  resolution: null,
  resolvedBy: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  remediation: null,
};
const message = (extra: Partial<EscalationMessage> = {}): EscalationMessage => ({ incident, explanation: ['action: restart api#0', 'verification: NOT verified'], severity: 'critical', event: 'trigger', ...extra });
const LINK = 'https://homeostat.example.com/#/incidents/inc-1a2b3c4d';

test('JSON payload: versioned, the diagnosis an object (not JSON text), times ISO 8601, no link unless given', () => {
  const body = jsonPayload(message());
  assert.deepEqual(body, {
    version: 1,
    event: 'trigger',
    severity: 'critical',
    incident: {
      id: 'inc-1a2b3c4d',
      element: 'api',
      status: 'escalated',
      symptom: 'process-crashed',
      summary: 'no action helped; escalated, retrying slowly',
      openedAt: '2026-01-02T03:04:05.000Z',
      resolvedAt: null,
      resolution: null,
      resolvedBy: null,
      diagnosis: { cause: 'process-crashed', confidence: 0.9, evidence: ['its own symptom: process-crashed on api#0'], candidates: [{ element: 'api', kind: 'element', score: 1, confidence: 0.9, evidence: [] }] },
    },
    explanation: ['action: restart api#0', 'verification: NOT verified'],
  });
  assert.equal('link' in body, false);
  assert.equal(jsonPayload(message({ link: LINK })).link, LINK);
});

test('JSON payload of a resolve: the resolution and who made it; an undiagnosed incident has diagnosis null', () => {
  const resolved = { ...incident, status: 'resolved' as const, resolvedAt: Date.UTC(2026, 0, 2, 3, 6, 0), resolution: 'action' as const, resolvedBy: 'restart api#0', diagnosis: null };
  const body = jsonPayload(message({ incident: resolved, event: 'resolve', severity: 'info' }));
  assert.equal(body.event, 'resolve');
  assert.deepEqual({ resolvedAt: body.incident.resolvedAt, resolution: body.incident.resolution, resolvedBy: body.incident.resolvedBy, diagnosis: body.incident.diagnosis }, { resolvedAt: '2026-01-02T03:06:00.000Z', resolution: 'action', resolvedBy: 'restart api#0', diagnosis: null });
});

test('JSON payload: a stored diagnosis that does not decode is shown as its text, not dropped', () => {
  const damaged = { ...incident, diagnosis: '{"cause":"process-crashed"' };
  assert.deepEqual(jsonPayload(message({ incident: damaged })).incident.diagnosis, { text: '{"cause":"process-crashed"' });
});

test('PagerDuty: links only with a public URL; a resolve has the same dedup key and no payload', () => {
  const plain = pagerDutyPayload(message(), 'R1');
  assert.equal('links' in plain, false);
  const linked = pagerDutyPayload(message({ link: LINK }), 'R1') as { links: { href: string; text: string }[] };
  assert.deepEqual(linked.links, [{ href: LINK, text: 'homeostat incident inc-1a2b3c4d' }]);
  assert.deepEqual(pagerDutyPayload(message({ event: 'resolve', link: LINK }), 'R1'), { routing_key: 'R1', event_action: 'resolve', dedup_key: 'inc-1a2b3c4d' });
});

test('Slack: the incident linked in the text and the blocks with a public URL, not without; a resolve says ✅ resolved', () => {
  const plain = slackPayload(message());
  assert.ok(!JSON.stringify(plain).includes('https://'), JSON.stringify(plain));
  const linked = slackPayload(message({ link: LINK }));
  assert.ok(linked.text.includes(LINK));
  assert.ok(linked.blocks[0]!.text.text.includes(`<${LINK}|incident \`inc-1a2b3c4d\`>`), linked.blocks[0]!.text.text);
  assert.match(slackPayload(message({ event: 'resolve' })).text, /^✅ resolved: homeostat: api — /);
});

test('incidentLink: the dashboard hash route under the public URL (a trailing slash or not), none without one', () => {
  assert.equal(incidentLink('https://homeostat.example.com', 'inc-1a2b3c4d'), LINK);
  assert.equal(incidentLink('https://homeostat.example.com/', 'inc-1a2b3c4d'), LINK);
  assert.equal(incidentLink('https://ops.example.com/homeostat/', 'inc-x'), 'https://ops.example.com/homeostat/#/incidents/inc-x');
  assert.equal(incidentLink(undefined, 'inc-x'), undefined);
});

test('api.publicUrl: an http(s) URL, anything else refused with a message that says what is expected', () => {
  assert.equal(apiSchema.parse({ publicUrl: 'https://homeostat.example.com' }).publicUrl, 'https://homeostat.example.com');
  assert.equal(apiSchema.parse({}).publicUrl, undefined);
  for (const bad of ['ftp://homeostat.example.com', 'javascript:alert(1)', 'homeostat.example.com']) {
    const parsed = apiSchema.safeParse({ publicUrl: bad });
    assert.equal(parsed.success, false, bad);
    assert.deepEqual(parsed.error!.issues[0]!.path, ['publicUrl']);
    assert.match(parsed.error!.issues[0]!.message, /expected an http\(s\) URL/);
  }
});
