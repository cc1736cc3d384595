import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { UpHarness } from './loop-harness.js';

const API = `
services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    replicas: 2
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 500ms, failureThreshold: 3 }
monitor:
  scrape: [{ service: api, every: 500ms }]
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart }, { action: stop-start }]
    verify: { healthyFor: 500ms, timeout: 15s }
`;

test('case 1 + 9: crash → restart → verified → resolved with a complete explanation; audit verify passes, then names an edited entry', async () => {
  const h = new UpHarness(API);
  try {
    await h.up();
    await h.healthy('api', 2);
    await h.fault('api#0', 'crash');
    const incident = await h.waitForIncident((i) => i.status === 'resolved', 30_000, 'the crash incident resolved');
    assert.equal(incident.element, 'api');
    assert.equal(incident.symptom, 'process-crashed');

    const explained = (await h.knowledge().incidents.explain(incident.id))!;
    const kinds = explained.entries.map((e) => e.kind);
    for (const kind of ['signal', 'symptom', 'diagnosis', 'policy', 'guard', 'evidence', 'action', 'verification', 'outcome']) assert.ok(kinds.includes(kind as never), `chain has ${kind}: ${kinds.join(',')}`);
    // The action carries the leader term (its fencing token; named so the redactor leaves it), recorded against the lease first.
    const acted = explained.entries.find((e) => e.kind === 'action')!.data as { leaderTerm?: number };
    assert.equal(typeof acted.leaderTerm, 'number', `the action names its leader term (fencing token): ${JSON.stringify(acted)}`);
    const evidence = explained.entries.find((e) => e.kind === 'evidence')!.data as { lastLines: string[] };
    assert.ok(evidence.lastLines.some((line) => /fatal: crash requested/.test(line)), `evidence has the crash line: ${JSON.stringify(evidence)}`);

    const shown = await h.cli('incident', 'show', incident.id);
    assert.equal(shown.status, 0);
    assert.match(shown.out, new RegExp(`incident ${incident.id} — api — RESOLVED`));
    assert.match(shown.out, /exited \(code 1, exited\).*fatal: crash requested/);
    assert.match(shown.out, /policy "crash" matches symptom process-crashed; ladder: restart → stop-start/);
    assert.match(shown.out, /step 1: restart api#0: verified/);
    // The supervisor respawned the crashed replica at once: the loop's restart was skipped, and the recovery is credited to the supervisor's restart, not to the skipped one.
    assert.match(shown.out, /step 1: restart api#0: done — skipped: api#0 was already restarted by the supervisor \(its restart policy, after it exited\)/);
    assert.match(shown.out, /RESOLVED by the supervisor's restart of api#0 — restart api#0 skipped: api#0 was already restarted/);
    assert.equal(incident.resolution, 'action');
    assert.equal(incident.resolvedBy, "the supervisor's restart of api#0");
    const listed = await h.cli('incidents', '--all');
    assert.match(listed.out, new RegExp(`${incident.id}\\s+api\\s+resolved\\s+process-crashed`));

    const metrics = await h.metrics();
    assert.match(metrics, /homeostat_incidents_resolved_total\{resolution="action",symptom="process-crashed"\} 1/);
    assert.match(metrics, /homeostat_actions_total\{kind="restart",outcome="ok"\} 1/);
    assert.match(metrics, /homeostat_mttr_seconds_count\{resolution="action",symptom="process-crashed"\} 1/);
    assert.match(metrics, /homeostat_mttd_seconds_count\{symptom="process-crashed"\} 1/);
    assert.match(metrics, /homeostat_workflow_step_duration_seconds_count\{status="completed",step="act"\} 1/);

    await h.down();
    const intact = await h.cli('audit', 'verify');
    assert.equal(intact.status, 0, intact.out);
    assert.match(intact.out, /audit log intact: \d+ entries/);
    // Someone edits an entry in the database: verify names it.
    const raw = new Database(`${h.dir}/state/homeostat.db`);
    const row = raw.prepare("SELECT seq FROM audit_log WHERE action = 'action.restart' ORDER BY seq LIMIT 1").get() as { seq: number };
    raw.prepare("UPDATE audit_log SET data = replace(data, 'restarted', 'did nothing to') WHERE seq = ?").run(row.seq);
    raw.close();
    const tampered = await h.cli('audit', 'verify');
    assert.equal(tampered.status, 1);
    assert.match(tampered.out, new RegExp(`audit log TAMPERED: entry ${row.seq} \\(.*action\\.restart ${incident.id}\\): hash mismatch`));
  } finally {
    await h.close();
  }
});
