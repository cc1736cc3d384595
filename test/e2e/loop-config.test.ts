import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type { Diagnosis } from '../../src/analyze/symptom.js';
import { EXAMPLES, UpHarness } from './loop-harness.js';

const config = (errorRate: number) => `
services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    env: { ERROR_RATE: "${errorRate}" }
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 500ms, failureThreshold: 3 }
monitor:
  configGoodAfter: 1500ms
  scrape: [{ service: api, every: 250ms }]
symptoms:
  api-error-rate: { service: api, metric: api_errors_total, aggregate: rate, window: 1500ms, above: 2, for: 500ms }
policies:
  bad-config:
    match: { symptom: [api-error-rate] }
    ladder: [{ action: rollback }, { action: escalate }]
    verify: { healthyFor: 1s, timeout: 20s }
`;

test('case 7: a bad config version raises the error rate → rollback to the last known good → healthy; the bad version is marked bad', async () => {
  const h = new UpHarness(config(0));
  try {
    await h.up();
    await h.healthy('api');
    const versions = h.knowledge().configVersions;
    await h.waitFor(async () => (await versions.list()).find((v) => v.version === 1 && v.status === 'good'), 20_000, 'config v1 marked good');

    // The operator edits the running config: ERROR_RATE 40 is the bad version.
    writeFileSync(h.configPath, `stateDir: state\n${config(40).replaceAll('$EXAMPLES', EXAMPLES).replaceAll('$NODE', process.execPath)}`);
    await h.waitForLine(/config v2 applied .*restarting api/, 10_000);
    const incident = await h.waitForIncident((i) => i.symptom === 'api-error-rate' && i.status === 'resolved', 45_000, 'the error-rate incident resolved');
    assert.equal(incident.element, 'api');

    const all = await versions.list();
    assert.equal(all.find((v) => v.version === 1)?.status, 'good');
    assert.equal(all.find((v) => v.version === 2)?.status, 'bad', JSON.stringify(all.map((v) => [v.version, v.status, v.source])));
    const restored = all.find((v) => v.version === 3)!;
    assert.equal(restored.hash, all[0]!.hash, 'v3 is v1 again');
    assert.match(restored.source, /rollback of v2/);

    // The ranking names the bad version as the cause, ahead of the element it changed.
    const diagnosis = JSON.parse(incident.diagnosis!) as Diagnosis;
    assert.equal(diagnosis.cause, 'config-change');
    assert.deepEqual([diagnosis.candidates![0]!.kind, diagnosis.candidates![0]!.element, diagnosis.candidates![0]!.version], ['config', 'api', 2], JSON.stringify(diagnosis.candidates));
    assert.match(diagnosis.candidates![0]!.evidence[0]!, /^config version 2 changed api \d+\.\d s before the first symptom \(from v1; /);
    assert.equal(diagnosis.candidates![1]!.element, 'api');
    assert.equal(diagnosis.candidates![1]!.kind, 'element');
    const explained = (await h.knowledge().incidents.explain(incident.id))!;
    const note = explained.entries.find((e) => e.kind === 'note' && e.data.candidate === 'config-change');
    assert.ok(note, `a config-change candidate note: ${JSON.stringify(explained.entries.map((e) => e.kind))}`);
    assert.equal(note.data.version, 2);
    const action = explained.entries.find((e) => e.kind === 'action')!;
    assert.match(String(action.data.detail), /rolled back config v2 \(marked bad\) to v1/);
    const verification = explained.entries.find((e) => e.kind === 'verification')!;
    assert.equal(verification.data.ok, true);

    const shown = await h.cli('incident', 'show', incident.id);
    assert.match(shown.out, /RESOLVED/);
    assert.match(shown.out, /cause: config-change on config v2 of api/);
    assert.match(shown.out, /config v2 was applied .* a candidate cause/);
    assert.match(shown.out, /rolled back config v2 \(marked bad\) to v1/);

    // Healthy again on the good config: the api answers and its error counter stays still.
    await h.healthy('api');
    const port = await h.portOf('api#0');
    const errors = async () => Number(/^api_errors_total (\S+)/m.exec(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text())?.[1]);
    const first = await errors();
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await errors(), first);
    assert.match(await h.metrics(), /homeostat_actions_total\{kind="rollback",outcome="ok"\} 1/);
  } finally {
    await h.close();
  }
});
