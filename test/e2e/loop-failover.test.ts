import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UpHarness } from './loop-harness.js';

const dependency = (name: string) => `
  ${name}:
    command: $NODE
    args: [dependency.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 200ms, timeout: 300ms, failureThreshold: 2 }`;

test('failover action: a hung primary → the loop fails over to the healthy standby → verified on the side now active', async () => {
  const h = new UpHarness(`
services:${dependency('dependency')}
    standby: { service: dependency-standby, after: 1h }${dependency('dependency-standby')}
policies:
  dependency-down:
    match: { symptom: [liveness-failing], service: [dependency] }
    ladder: [{ action: failover }, { action: escalate }]
    verify: { healthyFor: 500ms, timeout: 10s }
`);
  try {
    await h.up();
    await h.healthy('dependency');
    await h.healthy('dependency-standby');
    await h.fault('dependency#0', 'hang');
    const incident = await h.waitForIncident((i) => i.element === 'dependency' && i.status === 'resolved', 30_000, 'the dependency incident resolved');
    const entries = (await h.knowledge().incidents.explain(incident.id))!.entries;
    const action = entries.find((e) => e.kind === 'action')!;
    assert.equal(action.data.detail, 'failed over from dependency to dependency-standby');
    assert.ok(entries.some((e) => e.kind === 'evidence'), 'evidence before the failover');
    await h.waitFor(
      async () => {
        const states = await h.db().listElementStates();
        const role = (instance: string) => (JSON.parse(states.find((s) => s.instance === instance)?.data ?? '{}') as { role?: string }).role;
        return role('dependency-standby#0') === 'active' && role('dependency#0') === 'standby';
      },
      5_000,
      'dependency-standby active, dependency standby',
    );
    const failovers = await h.db().listEvents({ kinds: ['failover'], limit: 10 });
    assert.equal(failovers.length, 1);
    assert.match(failovers[0]!.data, /failover action for incident/);
  } finally {
    await h.close();
  }
});
