import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../helpers/wait.js';
import { loopHarness as harness } from './loop-harness.js';
import { StoreFaults } from './store-faults.js';

const waitFor = <T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, message: string, describe?: () => Promise<string>) =>
  waitUntil(check, { timeoutMs, message, ...(describe ? { describe } : {}) });

/**
 * `slow` pages for a readiness problem (its ladder only escalates); `crash` restarts. Slow
 * retries come every 10 minutes: whatever happens within the tests' bounds is not one.
 */
const SYSTEM = `
services:
  redis: { command: node, args: [r.js] }
policies:
  slow:
    match: { symptom: [readiness-failing] }
    ladder: [{ action: escalate }]
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart, scope: instance }]
    verify: { healthyFor: 100ms, timeout: 5s }
escalation: { retryEvery: 10m }
`;

test('a crash that joins an escalated incident is not absorbed: the incident is re-planned at once with the crash policy and the restart heals it', async () => {
  const h = await harness(SYSTEM);
  try {
    h.symptom('readiness-failing', 'redis');
    const escalated = await waitFor(async () => (await h.all()).find((i) => i.status === 'escalated'), 20_000, 'the readiness incident escalated');
    assert.equal((await h.engine.getRun(`remediate:redis:${escalated.id}:0`))?.status, 'completed');
    assert.deepEqual(h.actions, [], 'the `slow` ladder only pages');

    // A new outage on the same service, well before the next slow retry (10 min).
    h.symptom('process-crashed', 'redis');
    await waitFor(() => h.actions.includes('restart redis#0'), 20_000, 'the restart of the crash policy', async () => JSON.stringify((await h.knowledge.incidents.explain(escalated.id))?.entries.map((e) => e.data)));
    const resolved = await waitFor(async () => {
      const incident = await h.knowledge.incidents.get(escalated.id);
      return incident?.status === 'resolved' && incident;
    }, 20_000, 'the incident resolved by the restart');
    assert.equal(resolved.resolution, 'action');
    assert.equal(resolved.resolvedBy, 'restart redis#0');
    assert.equal((await h.all()).length, 1, 'one incident per key: the crash re-planned the escalated one');
    const entries = (await h.knowledge.incidents.explain(escalated.id))!.entries;
    const replanned = entries.find((e) => e.kind === 'note' && e.data.replanned === true);
    assert.match(String(replanned?.data.detail), /re-planning at once: .*process-crashed|re-planning at once: .*redis#0/);
    assert.match(String(replanned?.data.detail), /policy "crash" matches it/);
    assert.deepEqual(entries.filter((e) => e.kind === 'policy').map((e) => e.data.matched), ['slow', 'crash']);
  } finally {
    await h.close();
  }
});

test('an incident escalated because no policy matched starts remediation when a symptom a policy matches joins it', async () => {
  const h = await harness(SYSTEM);
  try {
    h.symptom('disk-full', 'redis');
    const escalated = await waitFor(async () => (await h.all()).find((i) => i.status === 'escalated'), 20_000, 'the no-policy incident escalated');
    assert.equal(await h.engine.getRun(`remediate:redis:${escalated.id}:0`), undefined, 'no policy: no remediation run');

    h.symptom('process-crashed', 'redis');
    await waitFor(() => h.actions.includes('restart redis#0'), 20_000, 'the restart of the crash policy', async () => JSON.stringify((await h.knowledge.incidents.explain(escalated.id))?.entries.map((e) => e.data)));
    await waitFor(async () => (await h.knowledge.incidents.get(escalated.id))?.status === 'resolved', 20_000, 'the incident resolved');
    assert.equal((await h.all()).length, 1);
  } finally {
    await h.close();
  }
});

/** Long enough for the second crash below to come within it on a loaded machine. */
const REOPEN_WITHIN_MS = 8_000;
const REOPEN = `
services:
  api: { command: node, args: [a.js] }
correlation: { reopenWithin: 8s }
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart, scope: instance }]
    verify: { healthyFor: 100ms, timeout: 5s }
escalation: { retryEvery: 10m }
`;

test('a symptom within correlation.reopenWithin re-opens the resolved incident, plans it again, and counts a failure for the action whose resolution did not hold; after the window a new incident opens', async () => {
  const h = await harness(REOPEN);
  try {
    h.symptom('process-crashed', 'api');
    const first = await waitFor(async () => (await h.all()).find((i) => i.status === 'resolved'), 20_000, 'the first crash resolved');
    assert.equal(first.resolvedBy, 'restart api#0');
    const before = (await h.store.listOutcomeStats()).find((s) => s.action === 'restart');
    assert.deepEqual({ successes: before?.successes, failures: before?.failures }, { successes: 1, failures: 0 });

    // It crashes again a moment later: the same incident, open again, planned again (cycle 1).
    h.symptom('process-crashed', 'api');
    await waitFor(async () => (await h.engine.getRun(`remediate:api:${first.id}:1`)) !== undefined, 20_000, 'the re-opened incident planned again');
    const again = await waitFor(async () => {
      const incident = await h.knowledge.incidents.get(first.id);
      return incident?.status === 'resolved' && incident;
    }, 20_000, 'the re-opened incident resolved again');
    assert.equal((await h.all()).length, 1, 'no second incident');
    assert.deepEqual(h.actions, ['restart api#0', 'restart api#0']);
    assert.ok(again.resolvedAt! > first.resolvedAt!);
    const entries = (await h.knowledge.incidents.explain(first.id))!.entries;
    const note = entries.find((e) => e.kind === 'note' && e.data.reopened === true);
    assert.match(String(note?.data.detail), /^re-opened: process-crashed on api \d+\.\d s after it was resolved by restart api#0$/);
    const stats = (await h.store.listOutcomeStats()).find((s) => s.action === 'restart');
    assert.deepEqual({ successes: stats?.successes, failures: stats?.failures }, { successes: 2, failures: 1 }, 'the first resolution did not hold: a failure is counted for it');

    // Once the window has passed, the same symptom is a new incident.
    await waitFor(() => Date.now() > again.resolvedAt! + REOPEN_WITHIN_MS + 500, REOPEN_WITHIN_MS + 10_000, 'the re-open window passed');
    h.symptom('process-crashed', 'api');
    await waitFor(async () => (await h.all()).length === 2 && (await h.all()).every((i) => i.status === 'resolved'), 20_000, 'a second incident, resolved');
    assert.equal((await h.knowledge.incidents.get(first.id))?.resolvedAt, again.resolvedAt, 'the first stays as it was');
  } finally {
    await h.close();
  }
});

/** {@link REOPEN} with a second policy, for hangs. */
const REOPEN_TWO_KINDS = `
services:
  api: { command: node, args: [a.js] }
correlation: { reopenWithin: 8s }
policies:
  crash:
    match: { symptom: [process-crashed] }
    ladder: [{ action: restart, scope: instance }]
    verify: { healthyFor: 100ms, timeout: 5s }
  hang:
    match: { symptom: [liveness-failing] }
    ladder: [{ action: restart, scope: instance }]
    verify: { healthyFor: 100ms, timeout: 5s }
escalation: { retryEvery: 10m }
`;

test('within correlation.reopenWithin, a different kind of symptom is a new fault: it opens its own incident, the resolved one stays resolved', async () => {
  const h = await harness(REOPEN_TWO_KINDS);
  try {
    h.symptom('process-crashed', 'api');
    const first = await waitFor(async () => (await h.all()).find((i) => i.status === 'resolved'), 20_000, 'the crash resolved');
    h.symptom('liveness-failing', 'api');
    const second = await waitFor(async () => (await h.all()).find((i) => i.id !== first.id && i.status === 'resolved'), 20_000, 'the hang: its own incident, resolved');
    assert.equal(second.symptom, 'liveness-failing');
    const kept = (await h.knowledge.incidents.get(first.id))!;
    assert.deepEqual([kept.status, kept.resolvedAt], ['resolved', first.resolvedAt], 'the crash incident was not re-opened');
    assert.ok(!(await h.knowledge.incidents.explain(first.id))!.entries.some((e) => e.kind === 'note' && e.data.reopened === true));
  } finally {
    await h.close();
  }
});

test('a re-opening whose reconcile fails after the incident is open again still plans its next cycle', async () => {
  const faults = new StoreFaults();
  const h = await harness(REOPEN, { wrapStore: (store) => faults.wrap(store) });
  try {
    h.symptom('process-crashed', 'api');
    const first = await waitFor(async () => (await h.all()).find((i) => i.status === 'resolved'), 20_000, 'the first crash resolved');
    // The store fails right after the re-opening is written (counting the failure of the restart whose resolution did not hold).
    faults.failNext('recordOutcome');
    h.symptom('process-crashed', 'api');
    await waitFor(async () => {
      const incident = await h.knowledge.incidents.get(first.id);
      return incident?.status === 'resolved' && incident.resolvedAt! > first.resolvedAt! && incident;
    }, 20_000, 'the re-opened incident remediated and resolved again', async () => JSON.stringify({ failed: faults.failed, incident: await h.knowledge.incidents.get(first.id) }));
    assert.deepEqual(faults.failed, ['recordOutcome']);
    assert.deepEqual(h.actions, ['restart api#0', 'restart api#0']);
    assert.equal((await h.all()).length, 1);
  } finally {
    await h.close();
  }
});

test('an incident escalated at opening (no policy matches) is checked every retryEvery without a new symptom, and resolved externally once healthy', async () => {
  let cleared = false;
  const checks: string[] = [];
  const h = await harness(SYSTEM.replace('retryEvery: 10m', 'retryEvery: 200ms'), {
    incidentHealth: async (incident) => {
      checks.push(incident.id);
      return cleared ? { healthy: true, detail: 'every symptom cleared (AlertFiring on redis) and redis healthy' } : { healthy: false, detail: 'rule AlertFiring still firing on redis' };
    },
  });
  try {
    h.symptom('AlertFiring', 'redis');
    const escalated = await waitFor(async () => (await h.all()).find((i) => i.status === 'escalated'), 20_000, 'the no-policy incident escalated');
    await waitFor(() => checks.length >= 2, 20_000, 'slow-retry health checks with no new symptom');
    assert.equal((await h.knowledge.incidents.get(escalated.id))?.status, 'escalated', 'not resolved while not healthy');
    cleared = true;
    const resolved = await waitFor(async () => {
      const incident = await h.knowledge.incidents.get(escalated.id);
      return incident?.status === 'resolved' && incident;
    }, 20_000, 'resolved externally at a later check');
    assert.equal(resolved.resolution, 'external');
    assert.equal(resolved.resolvedBy, null);
    assert.deepEqual(h.actions, []);
  } finally {
    await h.close();
  }
});
