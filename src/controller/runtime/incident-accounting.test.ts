import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Symptom } from '../../analyze/symptom.js';
import { Knowledge } from '../../knowledge/knowledge.js';
import type { RunRecord } from '../../store/records.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { MetricsRegistry } from '../../telemetry/metrics.js';
import { IncidentAccounting } from './incident-accounting.js';
import { runtimeMetrics } from './runtime-metrics.js';

function setup(store: SqliteStore, runs: Record<string, Partial<RunRecord>> = {}) {
  const knowledge = new Knowledge(store);
  const registry = new MetricsRegistry();
  const said: string[] = [];
  const accounting = new IncidentAccounting({
    knowledge,
    metrics: runtimeMetrics(registry),
    readRun: async (runId) => runs[runId] as RunRecord | undefined,
    logger: pino({ level: 'silent' }),
    say: (line) => said.push(line),
  });
  return { knowledge, registry, said, accounting };
}

const crash = (at: number): Symptom => ({ name: 'process-crashed', element: 'api', instance: 'api#0', at, labels: {}, signal: {} });

test('opened: MTTD from the earliest symptom, by symptom; the unresolved gauge counts it; the console says it', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const { knowledge, registry, said, accounting } = setup(store);
    const { incident } = await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'api#0 exited with code 1' });
    accounting.opened(incident, crash(incident.openedAt - 300));
    const text = registry.render();
    assert.match(text, /^homeostat_incidents_opened_total\{symptom="process-crashed"\} 1$/m);
    assert.match(text, /^homeostat_mttd_seconds_sum\{symptom="process-crashed"\} 0.3$/m);
    assert.match(text, /^homeostat_incidents_unresolved 1$/m);
    assert.equal(accounting.unresolved, 1);
    assert.deepEqual(said, [`incident ${incident.id} opened: api#0 exited with code 1`]);
  } finally {
    await store.close();
  }
});

test('resolved: MTTR from the incident\'s own symptoms, labelled by symptom and resolution; the unresolved count is read again', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const { knowledge, registry, said, accounting } = setup(store);
    const { incident } = await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'api#0 exited' });
    await knowledge.incidents.record(incident.id, 'symptom', { name: 'process-crashed', at: incident.openedAt - 2_000 });
    accounting.opened(incident, crash(incident.openedAt - 2_000));
    const resolved = await knowledge.incidents.resolve(incident.id, { resolution: 'operator', by: 'alice', summary: 'closed by hand' });
    await accounting.resolved(resolved!);
    const text = registry.render();
    const seconds = (resolved!.resolvedAt! - (incident.openedAt - 2_000)) / 1_000;
    assert.match(text, /^homeostat_incidents_resolved_total\{resolution="operator",symptom="process-crashed"\} 1$/m);
    assert.match(text, new RegExp(`^homeostat_mttr_seconds_sum\\{resolution="operator",symptom="process-crashed"\\} ${seconds}$`, 'm'));
    assert.match(text, /^homeostat_incidents_unresolved 0$/m);
    assert.equal(said.at(-1), `incident ${incident.id} closed by alice after ${seconds.toFixed(1)} s: closed by hand`);
  } finally {
    await store.close();
  }
});

test('a finished remediation: an exhausted ladder counts an escalation and is said; a dry run is said; a resolved incident is not', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const runs: Record<string, Partial<RunRecord>> = {};
    const { knowledge, registry, said, accounting } = setup(store, runs);
    const { incident } = await knowledge.incidents.open({ key: 'api', element: 'api', symptom: 'process-crashed', summary: 'no action helped' });
    const first = `remediate:api:${incident.id}:0`;
    const second = `remediate:api:${incident.id}:1`;
    const input = (incidentId: string) => JSON.stringify({ incidentId, service: 'api', diagnosis: 'process-crashed', policyName: 'p' });
    runs[first] = { input: input(incident.id), output: JSON.stringify({ outcome: 'escalated' }) };
    runs[second] = { input: input(incident.id), output: JSON.stringify({ outcome: 'dry-run' }) };
    runs['remediate:api:inc-unknown:0'] = { input: input('inc-unknown'), output: JSON.stringify({ outcome: 'escalated' }) };
    await accounting.remediationFinished(first, 'completed');
    await accounting.remediationFinished(second, 'completed');
    await accounting.remediationFinished('remediate:api:inc-unknown:0', 'completed');
    await accounting.remediationFinished('not-a-remediation', 'completed');
    assert.match(registry.render(), /^homeostat_incidents_escalated_total\{reason="ladder-exhausted"\} 1$/m);
    assert.deepEqual(said, [`incident ${incident.id} escalated: no action helped (see homeostat incident show ${incident.id})`, `incident ${incident.id}: dry-run, decision recorded, nothing executed`]);
    assert.equal(accounting.unresolved, 1, 'read from the store');
    await knowledge.incidents.resolve(incident.id, { resolution: 'action', by: null, summary: 'restart helped' });
    await accounting.remediationFinished(first, 'completed');
    assert.equal(said.length, 2, 'a resolved incident is said by resolved(), not here');
    assert.equal(accounting.unresolved, 0);
  } finally {
    await store.close();
  }
});

test('re-opened, re-targeted and escalated without a policy are said; re-opened and escalated are counted', async () => {
  const store = SqliteStore.open(':memory:');
  try {
    const { knowledge, registry, said, accounting } = setup(store);
    const { incident } = await knowledge.incidents.open({ key: 'api', element: 'db', symptom: 'process-crashed', summary: 'db down' });
    accounting.reopened(incident, crash(Date.now()));
    accounting.retargeted(incident, 'api');
    accounting.escalatedWithoutPolicy(incident);
    const text = registry.render();
    assert.match(text, /^homeostat_incidents_reopened_total\{symptom="process-crashed"\} 1$/m);
    assert.match(text, /^homeostat_incidents_escalated_total\{reason="no-policy"\} 1$/m);
    assert.equal(accounting.unresolved, 1);
    assert.deepEqual(said, [
      `incident ${incident.id} re-opened: process-crashed on api came back (see homeostat incident show ${incident.id})`,
      `incident ${incident.id}: root cause is db, not api; remediation targets db`,
      `incident ${incident.id} on db: no policy matches; escalated`,
    ]);
  } finally {
    await store.close();
  }
});
