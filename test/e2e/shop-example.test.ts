import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePrometheusText } from '../../src/monitor/prometheus-parser.js';
import { freePort } from '../../src/supervisor/service-supervisor.js';

const SERVICE = fileURLToPath(new URL('../../examples/shop/service.js', import.meta.url));

/** One shop service as its own process; resolves once it listens. */
async function start(name: string, port: number, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--expose-gc', SERVICE, '--port', String(port)], { env: { ...process.env, SHOP_SERVICE: name, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (/listening on/.test(chunk.toString())) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${name} exited ${code}`)));
  });
  return child;
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
const work = async (port: number) => (await fetch(`http://127.0.0.1:${port}/work`)).status;
const metrics = async (port: number) => parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
const sample = (families: ReturnType<typeof parsePrometheusText>, name: string) => families.flatMap((f) => f.samples).find((s) => s.name === name)?.value;

test('shop services: a request walks the dependency, /metrics parses, faults and heal change what callers see', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'homeostat-shop-test-'));
  const [dbPort, apiPort] = [await freePort(), await freePort()];
  const env = { SHOP_STATE_DIR: stateDir };
  const children: ChildProcess[] = [];
  try {
    let db = await start('db', dbPort, env);
    children.push(db);
    const inventory = await start('inventory', apiPort, { ...env, SHOP_DEPENDENCIES: `db=http://127.0.0.1:${dbPort}` });
    children.push(inventory);

    assert.equal(await work(apiPort), 200);
    const families = await metrics(dbPort);
    assert.equal(families.find((f) => f.name === 'shop_request_duration_seconds')?.type, 'histogram');
    assert.equal(sample(families, 'shop_requests_total'), 1, 'the inventory request reached db');
    assert.ok((sample(families, 'process_resident_memory_bytes') ?? 0) > 0);
    assert.ok(sample(families, 'process_cpu_seconds_total') !== undefined);

    await fetch(`http://127.0.0.1:${dbPort}/fault/errors?rate=1`, { method: 'POST' });
    assert.equal(await work(dbPort), 500);
    assert.equal(await work(apiPort), 502, 'the caller fails with its dependency');
    assert.equal(sample(await metrics(apiPort), 'shop_request_errors_total'), 1);
    await fetch(`http://127.0.0.1:${dbPort}/fault/heal`, { method: 'POST' });
    assert.equal(await work(apiPort), 200);

    // A crash with `for`: the process exits, and a restart within that time exits at once.
    await fetch(`http://127.0.0.1:${dbPort}/fault/crash?for=30`, { method: 'POST' });
    assert.equal(await exited(db), 1);
    assert.equal(await work(apiPort), 502);
    const restart = spawn(process.execPath, [SERVICE, '--port', String(dbPort)], { env: { ...process.env, SHOP_SERVICE: 'db', ...env }, stdio: 'ignore' });
    children.push(restart);
    assert.equal(await exited(restart), 1, 'still crashing while the crash fault is in force');
    rmSync(join(stateDir, 'db.crash-until'));
    db = await start('db', dbPort, env);
    children.push(db);
    assert.equal(await work(apiPort), 200);

    // The bad config: MAX_INFLIGHT=0 starts but refuses every work request.
    const badPort = await freePort();
    children.push(await start('payments', badPort, { ...env, MAX_INFLIGHT: '0' }));
    assert.equal(await work(badPort), 503);
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map(exited));
    rmSync(stateDir, { recursive: true, force: true });
  }
});
