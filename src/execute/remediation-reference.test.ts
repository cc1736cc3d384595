import { test } from 'node:test';
import assert from 'node:assert/strict';
import { incidentOfRun, remediationReference } from './remediation-reference.js';

test('the reference of a cycle: a stable, readable run id of the incident key, the incident and the cycle', () => {
  assert.deepEqual(remediationReference({ key: 'db', id: 'inc-1a2b3c4d' }, 0), { runId: 'remediate:db:inc-1a2b3c4d:0', cycle: 0 });
  assert.deepEqual(remediationReference({ key: 'shop:cart', id: 'inc-9' }, 3), { runId: 'remediate:shop:cart:inc-9:3', cycle: 3 });
  assert.equal(remediationReference({ key: 'db', id: 'inc-1' }, 1).runId, remediationReference({ key: 'db', id: 'inc-1' }, 1).runId, 'the same cycle twice: the same run');
});

test('the incident of a run is read from its input, never from its id', () => {
  const input = JSON.stringify({ incidentId: 'inc-7', service: 'api', diagnosis: 'process-crashed', policyName: 'p' });
  assert.equal(incidentOfRun({ input }), 'inc-7');
  assert.equal(incidentOfRun({ input: JSON.stringify({ service: 'api' }) }), undefined, 'no incident id: another workflow\'s run');
  assert.equal(incidentOfRun({ input: JSON.stringify({ incidentId: 7 }) }), undefined);
  assert.equal(incidentOfRun({ input: 'null' }), undefined);
  assert.equal(incidentOfRun({ input: null }), undefined);
  assert.equal(incidentOfRun({ input: '{not json' }), undefined);
  assert.equal(incidentOfRun(undefined), undefined, 'a run that is gone');
});
