import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { BIN, exampleApiService, UpHarness } from './loop-harness.js';

const SERVICE = `services:
${exampleApiService('api', '300ms')}
`;

/** The pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      // Fields after the command name (which may hold spaces): state, ppid, …
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid) found.push(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

/** 'Z' for a zombie (defunct), undefined once reaped. */
function stateOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** SIGKILL the supervised child and see it reaped and replaced: supervision goes on. */
async function killAndSeeRestarted(h: UpHarness): Promise<void> {
  const upPid = h.child!.pid!;
  const [victim] = await h.waitFor(() => (childrenOf(upPid).length > 0 ? childrenOf(upPid) : undefined), 15_000, 'a supervised child of up');
  process.kill(victim!, 'SIGKILL');
  const replacement = await h.waitFor(() => childrenOf(upPid).find((pid) => pid !== victim), 15_000, 'a restarted child');
  assert.notEqual(replacement, victim);
  await h.waitFor(() => stateOf(victim!) === undefined, 5_000, `the killed child ${victim} to be reaped (state ${stateOf(victim!)})`);
}

async function apiOf(h: UpHarness): Promise<{ url: string; token: string }> {
  const line = await h.waitForLine(/API at (\S+) /);
  const created = await h.cli('token', 'create', '--role', 'viewer', '--name', 'disk-e2e');
  assert.equal(created.status, 0, created.out);
  return { url: /API at (\S+) /.exec(line)![1]!, token: created.out.split('\n')[0]! };
}

test("up with its log on a full disk: /metrics and the API answer, a killed service is restarted, up lives on; when space returns the log resumes", { skip: !existsSync('/dev/full') && 'no /dev/full here', timeout: 90_000 }, async () => {
  const h = new UpHarness(SERVICE);
  try {
    const stateDir = join(h.dir, 'state');
    mkdirSync(stateDir, { recursive: true });
    const logPath = join(stateDir, 'homeostat.log');
    // Every write of up's own log gets a real ENOSPC.
    symlinkSync('/dev/full', logPath);
    await h.up();
    const { url, token } = await apiOf(h);
    await h.healthy('api');
    await h.waitForLine(/cannot write the log .*ENOSPC/);

    const metrics = await h.metrics();
    assert.match(metrics, /^homeostat_log_write_failing 1$/m);
    assert.match(metrics, /^homeostat_log_lines_dropped_total \d+$/m);
    const services = await fetch(`${url}/api/services`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(services.status, 200);
    await killAndSeeRestarted(h);
    assert.equal(h.child!.exitCode, null, 'up is still running');
    assert.equal(h.lines.filter((line) => /cannot write the log/.test(line)).length, 1, 'the failure is said once');

    // Space returns: the path now leads to a regular file; up reopens it at its next retry.
    writeFileSync(join(stateDir, 'fresh.log'), '');
    renameSync(join(stateDir, 'fresh.log'), logPath);
    await h.waitForLine(/the log .* is writable again/);
    await h.waitFor(() => readFileSync(logPath, 'utf8').includes('lines were dropped'), 5_000, 'the log to say what it lost');
    assert.match(await h.metrics(), /^homeostat_log_write_failing 0$/m);
    await h.down();
    assert.equal(h.child!.exitCode, 0, h.lines.slice(-20).join('\n'));
  } finally {
    await h.close();
  }
});

test('the database deleted under a running up: said loudly within seconds, the API answers 503 HS_STORE_LOST, supervision goes on', { timeout: 90_000 }, async () => {
  const h = new UpHarness(SERVICE);
  try {
    await h.up();
    const { url, token } = await apiOf(h);
    await h.healthy('api');
    const stateDir = join(h.dir, 'state');
    for (const name of readdirSync(stateDir)) if (name.startsWith('homeostat.db')) rmSync(join(stateDir, name));

    await h.waitForLine(/store lost: .*homeostat\.db: its file was deleted/, 10_000);
    const metrics = await h.metrics();
    assert.match(metrics, /^homeostat_store_degraded\{fault="lost"\} 1$/m);
    assert.match(metrics, /^homeostat_store_errors_total\{code="HS_STORE_LOST"\} \d+$/m);
    const incidents = await fetch(`${url}/api/incidents`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await incidents.json()) as { error?: { code: string; message: string } };
    assert.equal(incidents.status, 503, JSON.stringify(body));
    assert.equal(body.error?.code, 'HS_STORE_LOST');
    const cli = await h.cli('incidents');
    assert.notEqual(cli.status, 0);
    assert.match(cli.out, /HS_STORE_LOST: .*its file was deleted/, 'the CLI says why, not "no incidents"');
    await killAndSeeRestarted(h);
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // leader renewals, event flushes, state saves all fail meanwhile
    assert.equal(h.child!.exitCode, null, `up is still running:\n${h.lines.slice(-30).join('\n')}`);
    assert.equal(h.lines.filter((line) => /store lost/.test(line)).length, 1, 'said once, not at every failed call');
    assert.ok(!h.lines.some((line) => /Unhandled|uncaught/i.test(line)), h.lines.join('\n'));
    await h.down();
  } finally {
    await h.close();
  }
});

test('up over a database with a corrupted page refuses to start, with HS_STORE_CORRUPT naming the file (not a crash later)', { timeout: 60_000 }, async () => {
  const h = new UpHarness(SERVICE);
  try {
    const dbPath = join(h.dir, 'state', 'homeostat.db');
    const made = SqliteStore.open(dbPath);
    for (let i = 0; i < 10; i++) await made.appendEvents(Array.from({ length: 200 }, (_, j) => ({ at: i * 1_000 + j, element: 'api', kind: 'process-exited', data: JSON.stringify({ padding: 'x'.repeat(300) }) })));
    await made.close();
    const pages = statSync(dbPath).size / 4096;
    const fd = openSync(dbPath, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(pages / 2) * 4096);
    closeSync(fd);
    const up = spawnSync(process.execPath, [BIN, 'up', '-c', h.configPath], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, HOMEOSTAT_E2E_RUN: h.dir } });
    assert.equal(up.status, 1, `up exits at once with status 1 (status ${up.status}, signal ${up.signal})\n${up.stdout}\n${up.stderr}`);
    assert.match(up.stderr, new RegExp(`HS_STORE_CORRUPT: ${dbPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is corrupt`));
    assert.doesNotMatch(up.stdout, /spawned/, 'nothing was started');
  } finally {
    await h.close();
  }
});
