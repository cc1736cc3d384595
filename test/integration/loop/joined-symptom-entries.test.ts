import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../helpers/wait.js';
import { loopHarness as harness } from './loop-harness.js';

// Verification reads the incident's `symptom` entries to know what must clear: a rule that
// fires later on an element already in the incident must get one of its own, not only a
// raw `signal` entry.
const SYSTEM = `
services:
  app: { command: node, args: [a.js] }
correlation: { window: 30s, settle: 0s }
policies:
  errors:
    match: {}
    ladder: [{ action: escalate }]
escalation: { retryEvery: 1h }
`;

test('a new symptom name on an element already in the incident is recorded as a symptom of its own; a repeat is a signal only', async () => {
  const h = await harness(SYSTEM, { worker: false });
  try {
    h.symptom('app-latency', 'app');
    await waitUntil(async () => (await h.all()).length === 1, { timeoutMs: 20_000, message: 'the incident opened' });
    const incident = (await h.all())[0]!;
    h.symptom('app-errors', 'app');
    h.symptom('app-latency', 'app');
    const symptoms = async () => (await h.knowledge.incidents.explain(incident.id))!.entries.filter((e) => e.kind === 'symptom').map((e) => e.data.name);
    const signals = async () => (await h.knowledge.incidents.explain(incident.id))!.entries.filter((e) => e.kind === 'signal').length;
    await waitUntil(async () => (await signals()) === 3, { timeoutMs: 20_000, message: 'three signals recorded' });
    assert.deepEqual(await symptoms(), ['app-latency', 'app-errors']);
    assert.equal((await h.all()).length, 1, 'they joined the one incident');
  } finally {
    await h.close();
  }
});
