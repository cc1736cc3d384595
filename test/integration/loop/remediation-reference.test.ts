import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incidentOfRun, remediationReference } from '../../../src/execute/remediation-reference.js';
import { waitUntil } from '../helpers/wait.js';
import { CRASH_RESTARTS_API, loopHarness } from './loop-harness.js';

test('the loop references the run it starts on the incident, and the run names its incident in its input', async () => {
  // Without a worker the run stays pending: the reference is looked at before anything acts.
  const h = await loopHarness(CRASH_RESTARTS_API, { worker: false });
  try {
    h.symptom('process-crashed', 'api');
    const incident = await waitUntil(async () => (await h.all()).find((i) => i.remediation !== null), { timeoutMs: 8_000, message: 'an incident with a remediation reference' });
    assert.deepEqual(incident.remediation, remediationReference(incident, 0));
    // The reference is written just before the run is started.
    const run = await waitUntil(() => h.engine.getRun(incident.remediation!.runId), { timeoutMs: 8_000, message: 'the referenced run started' });
    assert.equal(run.status, 'pending');
    assert.equal(incidentOfRun(run), incident.id);
  } finally {
    await h.close();
  }
});

test('a loop that died between writing the remediation reference and starting its run starts that same cycle when it looks again', async () => {
  const h = await loopHarness(CRASH_RESTARTS_API, { worker: false });
  try {
    // What a loop leaves when it dies right after writing the reference: a remediating incident whose referenced run does not exist.
    const { incident } = await h.knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'api#0 exited with code 1' });
    await h.knowledge.incidents.recordMany(incident.id, [{ kind: 'symptom', data: { name: 'process-crashed', element: 'api', instance: 'api#0', at: incident.openedAt, labels: {} } }]);
    await h.knowledge.incidents.setStatus(incident.id, 'remediating');
    const reference = remediationReference(incident, 0);
    await h.knowledge.incidents.setRemediation(incident.id, reference);
    assert.equal(await h.engine.getRun(reference.runId), undefined);

    await h.loop.resync();
    const run = await waitUntil(() => h.engine.getRun(reference.runId), { timeoutMs: 8_000, message: 'the referenced cycle started' });
    assert.equal(incidentOfRun(run), incident.id);
    assert.deepEqual((await h.knowledge.incidents.get(incident.id))?.remediation, reference, 'the same cycle, not the next one');
    assert.equal(await h.engine.getRun(remediationReference(incident, 1).runId), undefined, 'no cycle was skipped');
  } finally {
    await h.close();
  }
});
