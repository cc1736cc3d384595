import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../helpers/wait.js';
import { loopHarness as harness } from './loop-harness.js';

const waitFor = <T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, message: string, describe?: () => Promise<string>) =>
  waitUntil(check, { timeoutMs, message, ...(describe ? { describe } : {}) });

const SYSTEM = (retryEvery: string) => `
services:
  nginx: { command: node, args: [n.js] }
policies:
  down:
    match: { symptom: [process-crashed, liveness-failing] }
    ladder: [{ action: restart, scope: instance }]
    verify: { healthyFor: 200ms, timeout: 1500ms }
escalation: { retryEvery: ${retryEvery} }
`;

/** The incident a crash opens when the replica's process was started again, after `lastExitReason`, 1 ms after the crash. */
async function crashAlreadyRestarted(h: Awaited<ReturnType<typeof harness>>, lastExitReason: 'exited' | 'requested') {
  let startedAt = 0;
  h.control.restartState = () => ({ startedAt, nextRestartAt: null, lastExitReason });
  const crashedAt = Date.now();
  h.loop.observe({ name: 'process-crashed', element: 'nginx', instance: 'nginx#0', at: crashedAt, labels: {}, signal: { kind: 'process-exited', at: crashedAt, instance: 'nginx#0' } });
  startedAt = crashedAt + 1;
  h.healthy.set('nginx', true);
  const incident = await waitFor(async () => (await h.all()).find((i) => i.status === 'resolved'), 20_000, 'the incident resolved');
  const action = (await h.knowledge.incidents.explain(incident.id))!.entries.find((e) => e.kind === 'action')!;
  assert.equal(action.data.skipped, true, JSON.stringify(action.data));
  assert.deepEqual(h.actions, [], 'nothing was restarted by the remediation');
  assert.deepEqual(await h.store.listOutcomeStats(), [], 'a skipped action is no success of that action');
  return { incident, detail: String(action.data.detail) };
}

test("a restart skipped because the supervisor's restart policy already respawned the replica is credited to the supervisor, not to the skipped restart", async () => {
  const h = await harness(SYSTEM('10m'));
  try {
    const { incident, detail } = await crashAlreadyRestarted(h, 'exited');
    assert.match(detail, /already restarted by the supervisor \(its restart policy, after it exited\)/);
    assert.equal(incident.resolution, 'action');
    assert.equal(incident.resolvedBy, "the supervisor's restart of nginx#0");
    assert.match(incident.summary, /^the supervisor's restart of nginx#0 helped: .*\(restart nginx#0 was skipped\)/);
  } finally {
    await h.close();
  }
});

test('a restart skipped because someone else restarted the replica on request is resolved externally, credited to no action', async () => {
  const h = await harness(SYSTEM('10m'));
  try {
    const { incident, detail } = await crashAlreadyRestarted(h, 'requested');
    assert.match(detail, /already restarted on request, not by this incident/);
    assert.doesNotMatch(detail, /supervisor/);
    assert.equal(incident.resolution, 'external');
    assert.equal(incident.resolvedBy, null);
    assert.match(incident.summary, /^resolved externally/);
  } finally {
    await h.close();
  }
});

test('at a slow retry, the process our own earlier restart started is restarted again, not skipped as "already restarted by the supervisor"', async () => {
  const h = await harness(SYSTEM('1s'));
  try {
    // Restarting does not heal it; the process a restart of ours starts is the one restartState reports.
    h.stuck.add('nginx');
    let startedAt = 0;
    h.control.restartState = () => ({ startedAt, nextRestartAt: null });
    const restart = h.control.restart.bind(h.control);
    h.control.restart = async (service, instance) => {
      await restart(service, instance);
      startedAt = Date.now();
    };
    h.symptom('liveness-failing', 'nginx');
    const incident = await waitFor(async () => (await h.all()).find((i) => i.status === 'escalated'), 20_000, 'the incident escalated');
    await waitFor(
      async () => (await h.knowledge.incidents.explain(incident.id))!.entries.filter((e) => e.kind === 'action').length >= 2,
      20_000,
      'the slow retry acted',
      async () => JSON.stringify((await h.knowledge.incidents.explain(incident.id))?.entries.map((e) => e.data)),
    );
    const [first, second] = (await h.knowledge.incidents.explain(incident.id))!.entries.filter((e) => e.kind === 'action');
    assert.equal(first!.data.skipped, undefined, JSON.stringify(first!.data));
    assert.equal(second!.data.skipped, undefined, `the slow retry restarted again: ${JSON.stringify(second!.data)}`);
    assert.doesNotMatch(String(second!.data.detail), /by the supervisor/);
    assert.match(String(second!.data.detail), /restarted nginx#0 again: its process was the one this incident's own restart started/);
    assert.deepEqual(h.actions.slice(0, 2), ['restart nginx#0', 'restart nginx#0']);
  } finally {
    await h.close();
  }
});
