import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Harness } from './harness.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The environment a live process was started with (we run as the same user). */
function environOf(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

test('heartbeats need the spawn’s secret: with the worker SIGSTOPped, forged beats every 100 ms do not keep it alive', async () => {
  const port = await freePort();
  const h = await Harness.start(`
heartbeat: { port: ${port} }
services:
  worker:
    command: ${process.execPath}
    args: [worker.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    env: { HEARTBEAT_EVERY: "100" }
    probes:
      liveness: { heartbeat: true, period: 200ms, timeout: 500ms, failureThreshold: 2 }
`);
  const beat = (path: string, method = 'POST', headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${port}${path}`, { method, headers }).then((r) => r.status);
  let forging: NodeJS.Timeout | undefined;
  try {
    await h.waitFor('probe-changed', (e) => e.to === 'passing');
    await new Promise((resolve) => setTimeout(resolve, 700)); // its own beats keep it passing past the spawn grace
    assert.ok(!h.events.some((e) => e.kind === 'probe-changed' && e.to === 'failing'), 'the worker’s own beats count');
    const pid = h.pid('worker');
    const env = environOf(pid);
    const oldSecretUrl = env.HOMEOSTAT_HEARTBEAT_URL!;

    process.kill(pid, 'SIGSTOP');
    const forged: number[] = [];
    forging = setInterval(() => {
      void beat('/beat/worker%230').then((status) => forged.push(status), () => undefined);
      void beat('/beat/worker%230', 'GET').then((status) => forged.push(status), () => undefined);
    }, 100);
    const failing = await h.waitFor('probe-changed', (e) => e.to === 'failing');
    assert.match(failing.message, /no heartbeat for \d+ ms/);
    const respawned = await h.waitFor('process-spawned', (e) => e.pid !== pid);
    clearInterval(forging);
    forging = undefined;
    assert.ok(forged.length > 0 && forged.every((status) => status === 401 || status === 405), `every forged beat was refused (${[...new Set(forged)].join(', ')})`);

    assert.match(oldSecretUrl, new RegExp(`^http://127\\.0\\.0\\.1:${port}/beat/worker%230/[A-Za-z0-9_-]{32}$`), 'the worker’s URL carries its secret');
    assert.equal(env.HOMEOSTAT_HEARTBEAT_PATH, new URL(oldSecretUrl).pathname);

    assert.equal(await beat('/beat/worker%230'), 401, 'no secret');
    assert.equal(await beat('/beat/worker%230/not-the-secret-not-the-secret-000'), 403, 'a wrong secret');
    assert.equal(await beat('/beat/worker%230', 'POST', { authorization: 'Bearer not-the-secret' }), 403, 'a wrong secret as a bearer');
    assert.equal(await beat(new URL(oldSecretUrl).pathname, 'GET'), 405, 'GET never counts, even with the secret');
    assert.equal(await beat(new URL(oldSecretUrl).pathname), 403, 'the previous spawn’s secret no longer counts');
    const fresh = environOf(respawned.pid).HOMEOSTAT_HEARTBEAT_URL!;
    assert.notEqual(fresh, oldSecretUrl, 'each spawn gets a new secret');
    assert.equal(await beat(new URL(fresh).pathname), 204, 'the new spawn’s secret counts');
    assert.equal(await beat('/beat/worker%230', 'POST', { authorization: `Bearer ${new URL(fresh).pathname.split('/').pop()}` }), 204, 'and works as a bearer');
  } finally {
    if (forging) clearInterval(forging);
    await h.close();
  }
});
