import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/supervisor/service-supervisor.js';
import { steadyLoad } from '../integration/traffic/steady-load.js';
import { UpHarness } from './loop-harness.js';

const FIXTURES = fileURLToPath(new URL('../integration/fixtures/', import.meta.url));

/** A 2-replica app behind a front door whose config changes roll out by canary: 20% of the traffic for up to 4 s, at most 5% failed, judged on 60 requests at least. */
const config = (port: number, version: string, flags: string[] = []) => `services:
  app:
    command: ${process.execPath}
    args: [traffic-app.js, --port, "{{port}}"${flags.map((flag) => `, ${flag}`).join('')}]
    cwd: ${FIXTURES}
    replicas: 2
    env: { APP_VERSION: "${version}" }
    probes:
      readiness: { http: /healthz, period: 100ms, timeout: 500ms, failureThreshold: 1 }
    expose: { port: ${port} }
    canary: { share: 20%, duration: 4s, maxErrorRate: 5%, minRequests: 60 }
`;

// The canary path of issue 19 under `homeostat up`, with real processes and a steady load
// through the front door: a version whose replicas answer 500 (while their probes pass —
// only callers can tell) is tried on app#0 with its share of the traffic, seen failing,
// and rolled back; app#1 never runs it. A good version then passes its canary and rolls
// out to both replicas with no failed request.
test('up: a config rollout by canary rolls a bad version back after its share of traffic failed, and continues a good one to every replica', async () => {
  const port = await freePort();
  const h = new UpHarness(config(port, '1'));
  const write = (yaml: string) => writeFileSync(h.configPath, `stateDir: state\n${yaml}`);
  try {
    await h.up();
    await h.waitForLine(new RegExp(`front door of app at http://127\\.0\\.0\\.1:${port}`));
    await h.healthy('app', 2);
    const app1Pid = await pidOf(h, 'app#1');

    // The bad version: every request app#0 answers fails once it runs it.
    const bad = steadyLoad(`http://127.0.0.1:${port}/?delay=5`, 4);
    await until(() => bad.result.ok > 100);
    write(config(port, '2', ['--fail-requests']));
    const verdict = await h.waitForLine(/config v2: canary of app FAILED, rolled back: /, 30_000);
    await h.waitForLine(/config change not applied: .*HS_CONFIG_CANARY_FAILED|config change not applied: config v2 was rolled back by its canary/, 10_000);
    const badResult = await bad.stop();

    // Its failures were seen: the canary's callers got 500s from app#0, and the verdict counts them.
    const broken = badResult.answers.filter((answer) => answer.status === 500);
    assert.ok(broken.length > 0, 'the canary failed requests');
    assert.deepEqual(new Set(broken.map((answer) => answer.instance)), new Set(['app#0']), 'only the canary failed');
    assert.match(verdict, /app#0 failed \d+ of \d+ requests \(\d+(\.\d+)?%, limit 5%\)/);
    // While it was judged (from its first failed answer to its last), it got about its 20% share.
    const first = badResult.answers.findIndex((answer) => answer.status === 500);
    const last = badResult.answers.findLastIndex((answer) => answer.status === 500);
    const window = badResult.answers.slice(first, last + 1);
    const share = window.filter((answer) => answer.instance === 'app#0').length / window.length;
    assert.ok(share > 0.1 && share < 0.3, `the canary's share of ${window.length} answers: ${share}`);
    assert.ok(badResult.failures.every((failure) => /^HTTP 500: app app#0 \d+ broken$/.test(failure)), `no other failure: ${badResult.failures.filter((f) => !f.includes('broken')).join('; ')}`);

    // The other replica never got the bad config: the same process throughout, never respawned.
    assert.equal(await pidOf(h, 'app#1'), app1Pid);
    assert.equal(await spawnsOf(h, 'app#1'), 1);
    // The version is marked bad; the canary's start and its rollback are audited, attributed.
    const versions = await h.knowledge().configVersions.list();
    assert.equal(versions.find((v) => v.version === 2)?.status, 'bad', JSON.stringify(versions.map((v) => [v.version, v.status])));
    const audit = await h.knowledge().audit.list();
    const started = audit.find((entry) => entry.action === 'config.canary.started' && entry.subject === 'config:v2')!;
    assert.equal(started.actor, 'config-file');
    const rolledBack = audit.find((entry) => entry.action === 'config.canary.rolled-back' && entry.subject === 'config:v2')!;
    assert.equal(rolledBack.actor, 'controller');
    const seen = (JSON.parse(rolledBack.data) as { appliedBy: string; instance: string; seen: { requests: number; failures: number } });
    assert.equal(seen.appliedBy, 'config-file');
    assert.equal(seen.instance, 'app#0');
    assert.ok(seen.seen.failures >= 1 && seen.seen.requests >= 60, JSON.stringify(seen));

    // Afterwards every request succeeds: app#0 runs version 1 again.
    await h.healthy('app', 2);
    const after = steadyLoad(`http://127.0.0.1:${port}/?delay=5`, 4);
    await until(() => after.result.ok >= 300);
    const afterResult = await after.stop();
    assert.deepEqual(afterResult.failures, []);
    assert.equal((afterResult.byInstance.get('app#0') ?? 0) > 0 && (afterResult.byInstance.get('app#1') ?? 0) > 0, true, 'both replicas serve');
    assert.equal(await versionOf(h, 'app#0'), '1');
    assert.equal(await versionOf(h, 'app#1'), '1');

    // A good version passes its canary and continues to every replica, with no failed request.
    const good = steadyLoad(`http://127.0.0.1:${port}/?delay=5`, 4);
    await until(() => good.result.ok > 100);
    write(config(port, '3'));
    await h.waitForLine(/config v3: canary of app passed: app#0 served \d+ requests/, 30_000);
    await h.waitForLine(/config v3 applied .*restarting app/, 30_000);
    const appliedAt = good.result.answers.length;
    await until(() => good.result.answers.length > appliedAt + 100);
    const goodResult = await good.stop();
    assert.deepEqual(goodResult.failures, []);
    assert.equal(await versionOf(h, 'app#0'), '3');
    assert.equal(await versionOf(h, 'app#1'), '3');
    assert.notEqual(await pidOf(h, 'app#1'), app1Pid, 'app#1 was rolled to the good version');
    const passed = (await h.knowledge().audit.list()).find((entry) => entry.action === 'config.canary.passed' && entry.subject === 'config:v3');
    assert.ok(passed, 'the passed canary is audited');
  } finally {
    await h.close();
  }
});

/** Poll `check` every 20 ms (the load runs meanwhile); throws after 30 s. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the load');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The pid of a replica's running process, from the states `up` saves. */
async function pidOf(h: UpHarness, instance: string): Promise<number | null> {
  const state = (await h.db().listElementStates()).find((s) => s.instance === instance);
  return state ? (JSON.parse(state.data) as { pid: number | null }).pid : null;
}

/** How many processes `up` spawned for a replica (events reach the store in batches: flushed by the time it is asked). */
async function spawnsOf(h: UpHarness, instance: string): Promise<number> {
  const events = await h.db().listEvents({ kinds: ['process-spawned'], limit: 10_000 });
  return events.filter((event) => (JSON.parse(event.data) as { instance?: string }).instance === instance).length;
}

/** What `$APP_VERSION` a replica runs with, asked on its own port. */
async function versionOf(h: UpHarness, instance: string): Promise<string> {
  return (await fetch(`http://127.0.0.1:${await h.portOf(instance)}/version`)).text();
}


// A restart by canary (a policy with `rollout:`) behind the same front door: the canary's
// restart brings it up broken (a file it reads at start, not its spec), its callers see
// that during its verification — with its 20% share — and the rollout stops before app#1.
test('up: a restart by canary sends the canary its share while it is verified; its failing callers stop the rollout before the other replica', async () => {
  const port = await freePort();
  const marker = join(tmpdir(), `homeostat-canary-broken-${process.pid}-${port}`);
  const h = new UpHarness(`services:
  app:
    command: ${process.execPath}
    args: [traffic-app.js, --port, "{{port}}", --fail-requests-if, ${marker}]
    cwd: ${FIXTURES}
    replicas: 2
    probes:
      readiness: { http: /healthz, period: 100ms, timeout: 500ms, failureThreshold: 1 }
    expose: { port: ${port} }
    canary: { share: 20%, maxErrorRate: 5%, minRequests: 30 }
monitor:
  scrape: [{ service: app, every: 300ms }]
symptoms:
  flagged: { service: app, metric: app_flag, above: 0 }
policies:
  unflag:
    match: { symptom: [flagged] }
    ladder: [{ action: restart, scope: service }]
    rollout: { batchSize: 1 }
    verify: { healthyFor: 500ms, timeout: 5s }
`);
  try {
    await h.up();
    await h.waitForLine(new RegExp(`front door of app at http://127\\.0\\.0\\.1:${port}`));
    await h.healthy('app', 2);
    const app1Pid = await pidOf(h, 'app#1');
    const load = steadyLoad(`http://127.0.0.1:${port}/?delay=5`, 4);
    await until(() => load.result.ok > 100);
    // From now on a replica that starts is broken: the restart is what breaks it.
    writeFileSync(marker, '');
    await fetch(`http://127.0.0.1:${await h.portOf('app#0')}/flag`, { method: 'POST' }).then((r) => r.text());
    const verification = await h.waitFor(
      async () => {
        for (const incident of await h.incidents()) {
          const entry = (await h.knowledge().incidents.explain(incident.id))!.entries.find((e) => e.kind === 'verification' && e.data.batch === 0);
          if (entry) return entry;
        }
        return undefined;
      },
      30_000,
      'the canary batch verified',
    );
    const result = await load.stop();
    assert.equal(verification.data.ok, false, JSON.stringify(verification.data));
    assert.match(String(verification.data.detail), /its callers: app#0 failed \d+ of \d+ requests \(\d+(\.\d+)?%, limit 5%\)/);
    const callers = verification.data.callers as { share: number; requests: number; failures: number };
    assert.equal(callers.share, 0.2);
    assert.ok(callers.failures >= 2 && callers.requests >= 30, JSON.stringify(callers));
    // Only the canary failed requests, and while it was verified it got about its share.
    const broken = result.answers.filter((answer) => answer.status === 500);
    assert.ok(broken.length > 0 && broken.every((answer) => answer.instance === 'app#0'), `failed: ${JSON.stringify(result.failures.slice(0, 3))}`);
    const first = result.answers.findIndex((answer) => answer.status === 500);
    const window = result.answers.slice(first, first + 200);
    const share = window.filter((answer) => answer.instance === 'app#0').length / window.length;
    assert.ok(share > 0.1 && share < 0.3, `the canary's share of the ${window.length} answers after its first failure: ${share}`);
    // The rollout stopped at the canary: app#1 was never restarted.
    assert.equal(await pidOf(h, 'app#1'), app1Pid);
    assert.equal(await spawnsOf(h, 'app#1'), 1);
  } finally {
    rmSync(marker, { force: true });
    await h.close();
  }
});
