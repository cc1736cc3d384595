import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/supervisor/service-supervisor.js';
import { UpHarness } from './loop-harness.js';
import { redisCommand } from './redis-command.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

// A real redis-server behind an app behind a front whose users' requests fail. redis is
// "alive but broken": full at maxmemory with noeviction, it answers PING (its probe passes)
// and refuses every write. The front's error rule fires first; the app's (for: 2s) joins
// and the root cause is ranked on the app, which the policy restarts — the wrong element,
// it cannot help. Before, verification checked the first symptom (front-errors) against
// the app (the rule is not the app's: "clear") and the app's probes (passing): resolved.
const SYSTEM = `
services:
  redis:
    command: redis-server
    args: [--port, "{{port}}", --bind, 127.0.0.1, --save, "", --appendonly, "no", --maxmemory-policy, noeviction, --loglevel, warning]
    port: {{redisPort}}
    probes:
      liveness: { tcp: true, period: 250ms, timeout: 500ms, failureThreshold: 3 }
  app:
    command: $NODE
    args: [redis-writer-app.js, --port, "{{port}}"]
    cwd: {{fixtures}}
    port: {{appPort}}
    env: { REDIS_PORT: "{{redisPort}}" }
    dependsOn: [redis]
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 500ms, failureThreshold: 3 }
  front:
    command: $NODE
    args: [front-proxy.js, --port, "{{port}}"]
    cwd: {{fixtures}}
    env: { UPSTREAM_PORT: "{{appPort}}" }
    dependsOn: [app]
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 500ms, failureThreshold: 3 }
monitor:
  scrape: [{ service: front, every: 250ms }, { service: app, every: 250ms }]
symptoms:
  front-errors: { service: front, metric: front_errors_total, aggregate: rate, window: 1s, above: 2 }
  app-errors: { service: app, metric: app_errors_total, aggregate: rate, window: 1s, above: 2, for: 2s }
correlation: { window: 30s, settle: 4s }
policies:
  restart-it:
    match: {}
    ladder: [{ action: restart }]
    verify: { healthyFor: 2s, timeout: 6s }
guardrails: { breaker: { failures: 50 }, budgets: { perElement: { max: 50, window: 1h } } }
escalation: { retryEvery: 2s }
`;

test('redis alive but full: restarting the app resolves nothing while the users\' error rule still fires on the front; clearing redis resolves it', async () => {
  const [redisPort, appPort] = [await freePort(), await freePort()];
  const h = new UpHarness(SYSTEM.replaceAll('{{redisPort}}', String(redisPort)).replaceAll('{{appPort}}', String(appPort)).replaceAll('{{fixtures}}', FIXTURES));
  try {
    await h.up();
    await Promise.all([h.healthy('redis'), h.healthy('app'), h.healthy('front')]);
    // Some normal history of the app's metrics for the root-cause ranking, then the fault.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    assert.deepEqual(await h.incidents(), [], 'no incident before the fault');
    assert.equal(await redisCommand(redisPort, ['CONFIG', 'SET', 'maxmemory', '1']), '+OK');
    assert.equal(await redisCommand(redisPort, ['PING']), '+PONG', 'alive');
    assert.match(await redisCommand(redisPort, ['SET', 'k', 'v']), /^-OOM/, 'but broken');

    // The app is restarted and comes back healthy; the incident must stay unresolved through
    // two failed verifications (the ladder's, then a slow retry's).
    const failedTwice = await h.waitFor(
      async () => {
        const incident = (await h.incidents())[0];
        if (!incident) return undefined;
        assert.notEqual(incident.status, 'resolved', 'resolved while redis is still full');
        const entries = (await h.knowledge().incidents.explain(incident.id))!.entries;
        // Polled, the status could miss a resolution undone a moment later: the chain keeps it.
        const passed = entries.find((e) => (e.kind === 'verification' && e.data.ok === true) || (e.kind === 'outcome' && e.data.outcome === 'resolved'));
        assert.equal(passed, undefined, `verified or resolved while redis is still full: ${JSON.stringify(passed?.data)}`);
        const restarts = entries.filter((e) => e.kind === 'action' && String(e.data.action) === 'restart app#0');
        const failed = entries.filter((e) => e.kind === 'verification' && e.data.ok === false);
        return restarts.length >= 2 && failed.length >= 2 ? { incident, failed } : undefined;
      },
      45_000,
      'the app restarted twice, each verification failed',
    );
    const dump = (await h.knowledge().incidents.explain(failedTwice.incident.id))!.entries.filter((e) => e.kind !== 'signal' && e.kind !== 'evidence').map((e) => `${e.kind} ${JSON.stringify(e.data).slice(0, 400)}`).join('\n');
    assert.equal(failedTwice.incident.element, 'app', `the incident targets the app:\n${dump}`);
    for (const verification of failedTwice.failed) {
      assert.match(String(verification.data.detail), /rule front-errors still firing on front/, String(verification.data.detail));
    }

    assert.equal(await redisCommand(redisPort, ['CONFIG', 'SET', 'maxmemory', '0']), '+OK');
    const resolved = await h.waitForIncident((i) => i.status === 'resolved', 45_000, 'the incident resolved once redis takes writes');
    assert.equal(resolved.id, failedTwice.incident.id);
    const entries = (await h.knowledge().incidents.explain(resolved.id))!.entries;
    const last = entries.filter((e) => e.kind === 'verification').at(-1)!;
    assert.equal(last.data.ok, true);
    assert.deepEqual(new Set(last.data.checked as string[]), new Set(['front-errors on front', 'app-errors on app']));
  } finally {
    await h.close();
  }
});
