import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { processIdentity } from '../../src/supervisor/process-identity.js';
import { UpHarness } from './loop-harness.js';

/** Two adjacent free loopback ports (replicas take `port + replica`). */
async function twoFreePorts(): Promise<number> {
  const listen = (port: number) =>
    new Promise<ReturnType<typeof createServer> | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = (await listen(0))!;
    const port = (first.address() as { port: number }).port;
    const second = await listen(port + 1);
    await new Promise((resolve) => first.close(resolve));
    if (second) {
      await new Promise((resolve) => second.close(resolve));
      return port;
    }
  }
  throw new Error('no two adjacent free ports');
}

const config = (port: number) => `
services:
  api:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    port: ${port}
    replicas: 2
    gracePeriod: 2s
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: 1s, failureThreshold: 5 }
`;

/** The pids of the running replicas of `service`, as `up` saved them. */
async function runningPids(h: UpHarness, service: string): Promise<number[]> {
  const states = (await h.db().listElementStates()).filter((s) => s.element === service && s.state === 'running');
  return states.map((s) => (JSON.parse(s.data) as { pid: number }).pid);
}

const alive = (pid: number) => processIdentity(pid) !== undefined;

/** The reaper `up` started for this harness (found by the marker `up`'s children inherit). */
function reaperPid(h: UpHarness): number | undefined {
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1').split('\0');
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1');
      if (environ.includes(`HOMEOSTAT_E2E_RUN=${h.dir}`) && cmdline.includes('reaper-process.js') && alive(Number(name))) return Number(name);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

test('SIGKILL of up: every supervised process is stopped by the reaper within its grace period (none keeps its port)', async () => {
  const port = await twoFreePorts();
  const h = new UpHarness(config(port));
  try {
    await h.up();
    await h.healthy('api', 2);
    const pids = await runningPids(h, 'api');
    assert.equal(pids.length, 2);
    assert.ok(pids.every(alive));
    await h.down('SIGKILL');
    // Bounded by the grace period (2 s) plus the reaper's polling; generous for a loaded machine.
    await h.waitFor(() => pids.every((pid) => !alive(pid)), 15_000, `the replicas ${pids.join(', ')} gone after the SIGKILL of up`);
    const log = await h.waitFor(() => {
      const text = readFileSync(`${h.dir}/state/reaper.log`, 'utf8');
      return pids.every((pid) => new RegExp(`"pgid":${pid},"by":"(stop-signal|SIGKILL)"`).test(text)) && text;
    }, 5_000, 'the reaper to log each group it stopped');
    assert.match(log, /"event":"supervisor-gone","groups":\[\d+,\d+\]/);
  } finally {
    await h.close();
  }
});

test('a reaper killed while up runs is replaced, and the replacement still stops every replica when up is SIGKILLed', async () => {
  const port = await twoFreePorts();
  const h = new UpHarness(config(port));
  try {
    await h.up();
    await h.healthy('api', 2);
    const pids = await runningPids(h, 'api');
    const first = await h.waitFor(() => reaperPid(h), 5_000, 'the reaper process');
    process.kill(first, 'SIGKILL');
    await h.waitForLine(/orphan protection degraded: the orphan reaper \(pid \d+\) exited \(SIGKILL\)/, 10_000);
    const second = await h.waitFor(() => {
      const pid = reaperPid(h);
      return pid !== undefined && pid !== first && pid;
    }, 20_000, 'a new reaper');
    // The new reaper exists a moment before up has handed it the groups: up says when it has.
    await h.waitForLine(new RegExp(`orphan protection restored: a new reaper \\(pid ${second}\\) guards 2 process groups`), 10_000);
    await h.down('SIGKILL');
    await h.waitFor(() => pids.every((pid) => !alive(pid)), 15_000, `the replicas ${pids.join(', ')} stopped by the new reaper (pid ${second})`);
  } finally {
    await h.close();
  }
});

test('SIGKILL of up and of its reaper: the next up on the same state dir stops the leftovers before spawning, and its replicas come up healthy without crash loops', async () => {
  const port = await twoFreePorts();
  const h = new UpHarness(config(port));
  try {
    await h.up();
    await h.healthy('api', 2);
    const pids = await runningPids(h, 'api');
    assert.equal(pids.length, 2);
    const reaper = await h.waitFor(() => reaperPid(h), 5_000, 'the reaper process');
    // Both at once (as `kill -9` of both would): up has no moment to start another reaper.
    process.kill(reaper, 'SIGKILL');
    await h.down('SIGKILL');
    await h.waitFor(() => !alive(reaper), 5_000, 'the reaper gone');
    // Nothing stopped them: orphans holding the ports.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(pids.every(alive), 'the orphans still run after up and its reaper were killed');

    const from = h.lines.length;
    await h.up();
    for (const pid of pids) await h.waitForLine(new RegExp(`api#[01] LEFTOVER pid ${pid} of a previous homeostat up \\(pid \\d+, gone\\) stopped by (stop-signal|SIGKILL)`), 15_000, from);
    assert.ok(pids.every((pid) => !alive(pid)), 'the leftovers are gone');
    // The rows the killed up saved still say healthy: wait for the new pids' rows.
    const states = await h.waitFor(
      async () => {
        const rows = (await h.db().listElementStates()).filter((s) => s.element === 'api' && s.health === 'healthy' && !pids.includes((JSON.parse(s.data) as { pid: number }).pid));
        return rows.length === 2 && rows;
      },
      20_000,
      'two healthy new replicas',
    );
    const newPids = states.map((s) => (JSON.parse(s.data) as { pid: number }).pid);
    assert.equal(newPids.length, 2);
    assert.ok(newPids.every((pid) => !pids.includes(pid)), 'the healthy replicas are the new ones, not the orphans');
    assert.deepEqual(
      states.map((s) => (JSON.parse(s.data) as { restarts: number }).restarts),
      [0, 0],
      'no replica had to restart (no EADDRINUSE crash loop)',
    );
    const exits = await h.db().listEvents({ element: 'api', kinds: ['process-exited'], limit: 100 });
    assert.ok(!exits.some((e) => e.data.includes('EADDRINUSE')), 'no replica exited on EADDRINUSE');
    const leftovers = await h.db().listEvents({ element: 'api', kinds: ['leftover-stopped'], limit: 10 });
    assert.deepEqual(leftovers.map((e) => (JSON.parse(e.data) as { pid: number }).pid).sort(), [...pids].sort());
    // The stopped leftovers come before the new spawns.
    const spawns = await h.db().listEvents({ element: 'api', kinds: ['process-spawned'], limit: 100 });
    const firstNewSpawn = Math.min(...spawns.filter((e) => newPids.includes((JSON.parse(e.data) as { pid: number }).pid)).map((e) => e.at));
    assert.ok(leftovers.every((e) => e.at <= firstNewSpawn), 'leftovers were stopped before the new instances spawned');
  } finally {
    await h.close();
  }
});
