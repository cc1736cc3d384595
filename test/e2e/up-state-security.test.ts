import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ApiDiscovery } from '../../src/cli/api-discovery.js';
import { UpHarness } from './loop-harness.js';

const API_SERVICE = (stripeKey: string) => `services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    env: { STRIPE_KEY: ${stripeKey}, DB_PASSWORD: hunter2-real-value }
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 300ms, failureThreshold: 3 }
monitor:
  configGoodAfter: 1s
`;

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

/** The processes of this test's `up` whose environment holds `entry` (Linux /proc). */
function processesWith(h: UpHarness, entry: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const env = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      if (env.includes(`HOMEOSTAT_E2E_RUN=${h.dir}`) && env.includes(entry)) found.push(Number(name));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

test('under umask 022 a real up keeps its state private (dir 0700, db, wal, shm, logs, api.json, audit-head 0600); the audit head is exported, signed, and checked by both CLI backends', async () => {
  const previousUmask = process.umask(0o022);
  // The audit key reaches up (and this process's CLI) but not the services up starts.
  process.env.HOMEOSTAT_AUDIT_KEY = 'test-audit-key-0123456789abcdef';
  const h = new UpHarness(API_SERVICE('sk_live_firstKey0123456789'));
  try {
    await h.up();
    await h.healthy('api');
    const state = join(h.dir, 'state');
    const serviceLog = join(state, 'logs', 'api', '0', 'current.log');
    await h.waitFor(() => existsSync(join(state, 'api.json')) && existsSync(serviceLog) && existsSync(join(state, 'homeostat.db-wal')), 10_000, 'the state files');
    assert.deepEqual(
      Object.fromEntries([state, join(state, 'logs'), join(state, 'logs', 'api', '0')].map((dir) => [dir.slice(h.dir.length), mode(dir)])),
      { '/state': '700', '/state/logs': '700', '/state/logs/api/0': '700' },
    );
    const files = ['homeostat.db', 'homeostat.db-wal', 'homeostat.db-shm', 'homeostat.log', 'api.json', 'audit-head', join('logs', 'api', '0', 'current.log')];
    assert.deepEqual(
      Object.fromEntries(files.map((f) => [f, mode(join(state, f))])),
      Object.fromEntries(files.map((f) => [f, '600'])),
    );
    assert.ok(!h.lines.some((l) => /warning: .* group or others/.test(l)), 'a fresh state dir gives no warning');

    // Each audit entry's head is in the head file and on the log stream.
    const entries = await h.db().listAudit({ afterSeq: 0, limit: 1_000 });
    const lines = readFileSync(join(state, 'audit-head'), 'utf8').trim().split('\n');
    assert.ok(lines.every((l) => /^\d+:[0-9a-f]{64}:[0-9a-f]{64}$/.test(l)), `every head line carries a MAC: ${lines.join(', ')}`);
    const heads = lines.map((l) => l.split(':').slice(0, 2).join(':'));
    assert.ok(heads.length >= 2, `heads: ${heads.join(', ')}`);
    const withKey = processesWith(h, 'HOMEOSTAT_AUDIT_KEY=test-audit-key-0123456789abcdef').filter((pid) => pid !== h.child!.pid);
    assert.deepEqual(withKey, [], 'no supervised process inherits the audit key');
    assert.ok(processesWith(h, 'STRIPE_KEY=sk_live_firstKey0123456789').length > 0, 'the service itself runs (and is found this way)');
    for (const head of heads) assert.ok(entries.some((e) => `${e.seq}:${e.hash}` === head), `${head} is an entry's head`);
    await h.waitFor(() => readFileSync(join(state, 'homeostat.log'), 'utf8').includes(`"auditHead":"${heads.at(-1)}"`), 5_000, 'the head on the log stream');

    // Through the API of the running up, and on the store.
    for (const args of [['audit', 'verify'], ['audit', 'verify', '--local']]) {
      const { status, out } = await h.cli(...args);
      assert.equal(status, 0, out);
      assert.match(out, /anchor \(head file\): (intact|extended): .* carry valid MACs/);
      assert.match(out, /^head: \d+:[0-9a-f]{64} /m);
    }
    const { token } = JSON.parse(readFileSync(join(state, 'api.json'), 'utf8')) as ApiDiscovery;
    assert.match(token, /^hst_/);
    await h.down();
    const { out: finalOut } = await h.cli('audit', 'verify');
    const head = /^head: (\S+)/m.exec(finalOut)![1]!;

    // The newest rows deleted: the chain still links, the head file and the recorded head say truncated.
    const db = new Database(join(state, 'homeostat.db'));
    const newest = Number(head.split(':')[0]);
    db.prepare('DELETE FROM audit_log WHERE seq >= ?').run(newest - 1);
    db.close();
    const truncated = await h.cli('audit', 'verify', '--expect', head);
    assert.equal(truncated.status, 1, truncated.out);
    assert.match(truncated.out, /anchor FAILED \(head file\): truncated/);
    assert.match(truncated.out, new RegExp(`anchor FAILED \\(--expect\\): truncated: the expected head ${newest}:`));
    assert.match(truncated.out, /audit log TAMPERED: the \d+ entries link up, but not to the heads kept outside the database/);
    const bad = await h.cli('audit', 'verify', '--expect', '12');
    assert.equal(bad.status, 1);
    assert.match(bad.out, /HS_AUDIT_HEAD_INVALID/);
  } finally {
    delete process.env.HOMEOSTAT_AUDIT_KEY;
    process.umask(previousUmask);
    await h.close();
  }
});

test('up warns on stderr and in its log when an existing state dir or file is readable by others, and leaves the modes alone', async () => {
  const h = new UpHarness(API_SERVICE('sk_live_firstKey0123456789'));
  try {
    const state = join(h.dir, 'state');
    mkdirSync(state);
    chmodSync(state, 0o755);
    writeFileSync(join(state, 'notes.txt'), 'x', { mode: 0o644 });
    chmodSync(join(state, 'notes.txt'), 0o644);
    await h.up();
    await h.waitForLine(new RegExp(`warning: ${state} is 0755: group or others can reach it`));
    await h.waitForLine(new RegExp(`warning: ${join(state, 'notes.txt')} is 0644`));
    assert.equal(mode(state), '755', 'an operator may have meant it: warned, not changed');
    await h.waitFor(() => readFileSync(join(state, 'homeostat.log'), 'utf8').includes('state readable by group or others'), 5_000, 'the warning in the log');
  } finally {
    await h.close();
  }
});

test('a config version with secrets is rolled back by a later up with its real values (they were stored, not redacted)', async () => {
  const h = new UpHarness(API_SERVICE('sk_live_firstKey0123456789'));
  try {
    await h.up();
    await h.healthy('api');
    await h.waitFor(async () => (await h.knowledge().configVersions.current())?.status === 'good', 10_000, 'v1 marked good');
    await h.down();
    // v2 rotates the key; a new up (which never saw v1's text) applies it.
    writeFileSync(h.configPath, readFileSync(h.configPath, 'utf8').replace('sk_live_firstKey0123456789', 'sk_live_secondKey012345678'));
    await h.up();
    await h.healthy('api');
    await h.waitFor(() => processesWith(h, 'STRIPE_KEY=sk_live_secondKey012345678').length > 0, 10_000, 'api running with the v2 key');
    const { url, token } = JSON.parse(readFileSync(join(h.dir, 'state', 'api.json'), 'utf8')) as ApiDiscovery;
    const answer = await fetch(`${url}/api/config/rollback`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ incident: 'test' }) });
    const body = (await answer.json()) as { ok?: boolean; detail?: string; error?: { message: string } };
    assert.equal(answer.status, 200, JSON.stringify(body));
    assert.match(body.detail!, /rolled back config v2 \(marked bad\) to v1/);
    await h.waitFor(() => processesWith(h, 'STRIPE_KEY=sk_live_firstKey0123456789').length > 0, 15_000, 'api restarted with the real v1 key');
    // A value redaction did catch before is back as it was too (it used to be stored as `[REDACTED]`, a YAML list).
    assert.ok(processesWith(h, 'DB_PASSWORD=hunter2-real-value').length > 0);
    // Shown to the admin redacted, and still a config.
    const shown = (await (await fetch(`${url}/api/config`, { headers: { authorization: `Bearer ${token}` } })).json()) as { version: { text: string } };
    assert.match(shown.version.text, /STRIPE_KEY: "\[REDACTED\]", DB_PASSWORD: "\[REDACTED\]"/);
    assert.ok(!shown.version.text.includes('sk_live_') && !shown.version.text.includes('hunter2'));
  } finally {
    await h.close();
  }
});
