import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnosis } from '../../../src/analyze/symptom.js';
import { waitUntil } from '../helpers/wait.js';
import { loopHarness } from './loop-harness.js';

const waitFor = (check: () => boolean | Promise<boolean>, timeoutMs: number, message: string) => waitUntil(check, { timeoutMs, message });

const CONFIG = `
services:
  api: { command: node, args: [a.js], replicas: 2 }
policies:
  # A fault that came back after a restart: restarting again is pointless.
  recurring:
    match: { classification: [persistent] }
    ladder: [{ action: stop-start }]
    verify: { healthyFor: 100ms, timeout: 2s }
  # One replica disagreeing with its peers: take it out and bring it back.
  odd-replica:
    match: { classification: [byzantine] }
    ladder: [{ action: stop-start }]
    verify: { healthyFor: 100ms, timeout: 2s }
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }]
    verify: { healthyFor: 100ms, timeout: 2s }
guardrails: { blastRadius: { maxReplicas: 2 } }
escalation: { retryEvery: 1h }
# Each crash its own incident: the classification from the element's earlier incidents is what is tested (a re-opened one is persistent by its own restart).
correlation: { reopenWithin: 0 }
`;

test('a crash that recurs after a restart fixed it is persistent: the planner matches the persistent policy and skips the restart rung', async () => {
  const h = await loopHarness(CONFIG);
  try {
    h.symptom('process-crashed', 'api');
    await waitFor(async () => (await h.all())[0]?.status === 'resolved', 10_000, 'the first crash resolved');
    const [first] = await h.all();
    assert.equal((JSON.parse(first!.diagnosis!) as Diagnosis).classification, 'transient');
    assert.deepEqual(h.actions, ['restart api#0']);

    h.symptom('process-crashed', 'api');
    await waitFor(async () => (await h.all()).length === 2 && (await h.all()).every((i) => i.status === 'resolved'), 10_000, 'the second crash resolved');
    const second = (await h.all()).find((i) => i.id !== first!.id)!;
    const diagnosis = JSON.parse(second.diagnosis!) as Diagnosis;
    assert.equal(diagnosis.classification, 'persistent');
    assert.ok(diagnosis.evidence.some((e) => e.startsWith(`persistent: incident ${first!.id} (process-crashed) on api was resolved by a restart`)), diagnosis.evidence.join('\n'));
    assert.deepEqual(h.actions, ['restart api#0', 'stop-start api']);
    const policy = (await h.knowledge.incidents.explain(second.id))!.entries.find((e) => e.kind === 'policy')!;
    assert.equal(policy.data.matched, 'recurring');
    assert.match(String(policy.data.reason), /classification persistent/);
  } finally {
    await h.close();
  }
});

test('one replica of two with an error rate its peer does not have is byzantine', async () => {
  const h = await loopHarness(CONFIG);
  try {
    h.symptom('api-error-rate', 'api', {}, 'api#1');
    await waitFor(async () => (await h.all())[0]?.status === 'resolved', 10_000, 'the incident resolved');
    const [incident] = await h.all();
    const diagnosis = JSON.parse(incident!.diagnosis!) as Diagnosis;
    assert.equal(diagnosis.classification, 'byzantine');
    assert.ok(diagnosis.evidence.includes('byzantine: only api#1 of 2 replicas shows api-error-rate: it disagrees with its peers'), diagnosis.evidence.join('\n'));
    assert.equal((await h.knowledge.incidents.explain(incident!.id))!.entries.find((e) => e.kind === 'policy')!.data.matched, 'odd-replica');
  } finally {
    await h.close();
  }
});
