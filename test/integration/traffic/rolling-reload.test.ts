import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { isHomeostatError } from '../../../src/errors/homeostat-error.js';
import { freePort } from '../../../src/supervisor/service-supervisor.js';
import { steadyLoad } from './steady-load.js';
import { appService, FIXTURES, sleep, trafficSystem, until } from './traffic-system.js';

const yaml = (port: number, version: string, flags: string[] = []) => `services:\n${appService('app', port, `    env: { APP_VERSION: "${version}" }\n`, flags)}`;

// A config reload that changes an exposed service rolls it one replica at a time, each
// drained through the front door and taking traffic again before the next goes: steady
// idempotent load sees no failure, where stopping both replicas at once answered 503s.
test('a config reload of an exposed service rolls its replicas one at a time: zero failed requests under steady load', async () => {
  const port = await freePort();
  const system = await trafficSystem(yaml(port, '1'));
  try {
    await until(() => system.supervisor.routable('app').length === 2, 10_000, 'two ready replicas');
    const pidsBefore = system.supervisor.replicas('app').map((replica) => replica.pgid);
    const load = steadyLoad(`http://127.0.0.1:${port}/?delay=20`, 4);
    await sleep(300);
    const path = join(system.dir, 'next.yaml');
    writeFileSync(path, `stateDir: state\n${yaml(port, '2').replaceAll('$NODE', process.execPath).replaceAll('$FIXTURES', FIXTURES)}`);
    const reloaded = await system.supervisor.reload(loadConfig(path).config);
    assert.deepEqual(reloaded.changed, ['app']);
    await sleep(300);
    const result = await load.stop();
    assert.deepEqual(result.failures, [], `answered ${result.ok}`);
    assert.ok(result.ok > 50, `answered: ${result.ok}`);
    const replicas = system.supervisor.replicas('app');
    assert.equal(replicas.length, 2);
    for (const [index, replica] of replicas.entries()) {
      assert.notEqual(replica.pgid, pidsBefore[index], `${replica.instance} was restarted`);
      assert.equal(await (await fetch(`http://127.0.0.1:${replica.port}/version`)).text(), '2', `${replica.instance} runs the new spec`);
    }
    assert.doesNotMatch(system.registry.render(), /homeostat_front_door_failed_total\{reason="no_ready_replica"/, 'the pool was never empty');
  } finally {
    await system.close();
  }
});

// All or nothing, rolling: a version whose first replica never takes traffic stops the
// rollout there — the other replica never runs it — and the previous spec comes back, with
// the callers served by the untouched replica throughout.
test('a rolling reload whose new replica never gets ready puts the previous spec back; the other replica is never touched and no request fails', async () => {
  const port = await freePort();
  const system = await trafficSystem(yaml(port, '1').replace(`expose: { port: ${port} }`, `expose: { port: ${port}, readyTimeout: 1s }`));
  try {
    await until(() => system.supervisor.routable('app').length === 2, 10_000, 'two ready replicas');
    const app1 = system.supervisor.replicas('app')[1]!;
    const app1Pid = app1.pgid;
    const load = steadyLoad(`http://127.0.0.1:${port}/?delay=20`, 4);
    await sleep(300);
    const path = join(system.dir, 'next.yaml');
    const next = yaml(port, '2', ['--never-ready']).replace(`expose: { port: ${port} }`, `expose: { port: ${port}, readyTimeout: 1s }`);
    writeFileSync(path, `stateDir: state\n${next.replaceAll('$NODE', process.execPath).replaceAll('$FIXTURES', FIXTURES)}`);
    await assert.rejects(system.supervisor.reload(loadConfig(path).config), (error: Error) => isHomeostatError(error, 'HS_RELOAD_FAILED') && /app#0: did not take traffic within 1000 ms \(expose\.readyTimeout\) of its start; the previous spec was put back and started \(app\)/.test(error.message));
    await until(() => system.supervisor.routable('app').length === 2, 10_000, 'two ready replicas again');
    await sleep(300);
    const result = await load.stop();
    assert.deepEqual(result.failures, [], `answered ${result.ok}`);
    const replicas = system.supervisor.replicas('app');
    assert.equal(replicas[1], app1, 'app#1 was never replaced');
    assert.equal(replicas[1]!.pgid, app1Pid);
    for (const replica of replicas) assert.equal(await (await fetch(`http://127.0.0.1:${replica.port}/version`)).text(), '1', `${replica.instance} runs the previous spec`);
  } finally {
    await system.close();
  }
});
