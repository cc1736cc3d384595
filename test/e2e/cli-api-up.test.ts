import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiDiscovery } from '../../src/cli/api-discovery.js';
import { BIN, UpHarness } from './loop-harness.js';

const API_SERVICE = `services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 300ms, failureThreshold: 3 }
`;

function discovery(h: UpHarness): ApiDiscovery {
  return JSON.parse(readFileSync(join(h.dir, 'state', 'api.json'), 'utf8')) as ApiDiscovery;
}

test('homeostat up writes api.json (0600) with a local admin token, prints the dashboard URL, and revokes and removes it on a clean stop', async () => {
  const h = new UpHarness(API_SERVICE);
  try {
    await h.up();
    const line = await h.waitForLine(/dashboard at /);
    const found = discovery(h);
    assert.equal(statSync(join(h.dir, 'state', 'api.json')).mode & 0o777, 0o600);
    assert.equal(found.pid, h.child!.pid);
    assert.equal(line, `homeostat up: dashboard at ${found.url}/#token=${found.token}`);
    assert.match(found.token, new RegExp(`^hst_${found.tokenId}_`));
    assert.equal(found.store, `sqlite:${join(h.dir, 'state', 'homeostat.db')}`);
    // The token is an admin's: it may list tokens.
    const listed = await fetch(`${found.url}/api/tokens`, { headers: { authorization: `Bearer ${found.token}` } });
    assert.equal(listed.status, 200);
    const tokens = ((await listed.json()) as { tokens: { id: string; name: string; role: string }[] }).tokens;
    const local = tokens.find((t) => t.id === found.tokenId);
    assert.equal(local?.name, `local-up-${found.pid}`);
    assert.equal(local?.role, 'admin');

    await h.down();
    assert.equal(existsSync(join(h.dir, 'state', 'api.json')), false, 'api.json removed on a clean stop');
    const record = await h.db().getApiToken(found.tokenId);
    assert.notEqual(record!.revokedAt, null, 'the local token is revoked');
    const audit = await h.db().listAudit({ afterSeq: 0, limit: 1_000 });
    assert.ok(audit.some((a) => a.action === 'token.created' && a.subject === `token:${found.tokenId}` && a.actor === 'controller'));
    assert.ok(audit.some((a) => a.action === 'token.revoked' && a.subject === `token:${found.tokenId}` && a.actor === 'controller'));
  } finally {
    await h.close();
  }
});

test('after a SIGKILL of homeostat up the next up replaces the stale api.json and revokes the old token; a second up on a live one is refused', async () => {
  const h = new UpHarness(API_SERVICE);
  try {
    await h.up();
    const first = discovery(h);
    await h.down('SIGKILL');
    await h.killSpawned();
    assert.deepEqual(discovery(h), first, 'a killed up leaves its file behind');
    // Meanwhile the CLI sees a dead pid and works on the store.
    const paused = await h.cli('pause', 'api', '--reason', 'while up is down');
    assert.equal(paused.status, 0, paused.out);
    assert.match((await h.db().listAudit({ afterSeq: 0, limit: 1_000 })).at(-1)!.actor, /^operator:/);

    const lines = h.lines.length;
    await h.up();
    await h.waitForLine(new RegExp(`replacing the stale .*api\\.json of homeostat up pid ${first.pid}`), 5_000, lines);
    // The line is said before the new token is made and the new file written: wait for the file.
    const second = await h.waitFor(() => {
      const found = discovery(h);
      return found.pid === h.child!.pid && found;
    }, 10_000, 'the new api.json of the second up');
    assert.notEqual(second.tokenId, first.tokenId);
    assert.notEqual((await h.db().getApiToken(first.tokenId))!.revokedAt, null, 'the stale token is revoked');
    assert.equal((await h.db().getApiToken(second.tokenId))!.revokedAt, null);
    const stale = await fetch(`${second.url}/api/pauses`, { headers: { authorization: `Bearer ${first.token}` } });
    assert.equal(stale.status, 401);

    // A second `up` on the same state dir while this one answers: refused before it spawns anything.
    const again = spawn(process.execPath, [BIN, 'up', '-c', h.configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOMEOSTAT_E2E_RUN: h.dir } });
    let output = '';
    again.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    again.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const killer = setTimeout(() => again.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => again.once('exit', (exitCode) => resolve(exitCode)));
    clearTimeout(killer);
    assert.equal(code, 1, output);
    assert.match(output, new RegExp(`HS_UP_ALREADY_RUNNING: homeostat up \\(pid ${second.pid}\\) already runs on `));
    assert.deepEqual(discovery(h), second, 'the running up keeps its file');
  } finally {
    await h.close();
  }
});
