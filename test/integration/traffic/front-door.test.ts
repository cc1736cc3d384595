import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, describe, it } from 'node:test';
import { escalationSchema } from '../../../src/config/schema/policies.js';
import { createActuator } from '../../../src/execute/actuators.js';
import { supervisorControl } from '../../../src/execute/element-control.js';
import { freePort } from '../../../src/supervisor/service-supervisor.js';
import { steadyLoad } from './steady-load.js';
import { appService, sleep, trafficSystem, until } from './traffic-system.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
});

async function started(yaml: string) {
  const system = await trafficSystem(yaml);
  cleanups.push(system.close);
  return system;
}

const pids = (system: Awaited<ReturnType<typeof started>>, service: string) => system.supervisor.replicas(service).map((replica) => replica.pgid);

describe('a front door under steady load (real processes)', () => {
  // The replicas die at once on SIGTERM and the load is POSTs, never retried: only the
  // drain before each stop keeps every request whole.
  it('loses no request across a restart action on the whole service: one replica at a time, each drained first', async () => {
    const port = await freePort();
    const system = await started(`services:\n${appService('app', port, '', ['--abrupt'])}`);
    await until(() => system.supervisor.routable('app').length === 2, 10_000, 'two ready replicas');
    const before = pids(system, 'app');
    const load = steadyLoad(`http://127.0.0.1:${port}/?delay=20`, 4, 'POST');
    await sleep(300);
    const actuator = createActuator({ control: supervisorControl(system.supervisor), escalation: escalationSchema.parse({}), escalationMessage: async () => assert.fail('no escalation here') });
    const outcome = await actuator.execute({ action: 'restart', scope: 'service' }, { incidentId: 'inc-1', service: 'app' }, new AbortController().signal);
    assert.equal(outcome.ok, true, outcome.detail);
    await until(() => system.supervisor.routable('app').length === 2, 10_000, 'both replicas ready again');
    await sleep(300);
    const result = await load.stop();
    const now = pids(system, 'app');
    assert.ok(now.every((pid, i) => pid !== undefined && pid !== before[i]), `both replicas have new processes: ${before.join(',')} → ${now.join(',')}`);
    assert.deepEqual(result.failures, []);
    assert.ok(result.ok > 50, `requests answered: ${result.ok}`);
  });

  it('loses no request across a failover to the standby, and the next requests all go to the standby', async () => {
    const port = await freePort();
    // `after: 10s`: the standby may be ready before the primary at start-up; the test fails over itself.
    const system = await started(`services:\n${appService('app', port, '    standby: { service: app-standby, after: 10s }\n', ['--abrupt'])}${appService('app-standby', undefined)}`);
    await until(() => system.supervisor.routable('app').filter((upstream) => upstream.instance.startsWith('app#')).length === 2, 10_000, 'two ready replicas of app');
    await until(() => system.supervisor.replicas('app-standby').every((replica) => replica.isHealthy(true)), 10_000, 'a verified standby');
    const load = steadyLoad(`http://127.0.0.1:${port}/?delay=20`, 4, 'POST');
    await sleep(300);
    assert.deepEqual(system.supervisor.failover('app', 'test'), { from: 'app', to: 'app-standby' });
    const atSwitch = load.result.ok;
    await sleep(200);
    // The old active side stops (a planned stop: drained), as an operator would after a failover.
    await system.supervisor.scale('app', 0);
    const standbyBefore = load.result.byInstance.get('app-standby#0') ?? 0;
    await sleep(300);
    const result = await load.stop();
    assert.deepEqual(result.failures, []);
    assert.ok(atSwitch > 10 && result.ok > atSwitch + 20, `answered before the switch ${atSwitch}, in all ${result.ok}`);
    assert.ok((result.byInstance.get('app-standby#0') ?? 0) > standbyBefore, 'the standby answers');
    assert.equal(system.supervisor.routable('app').every((upstream) => upstream.instance.startsWith('app-standby#')), true);
  });

  it('retries idempotent requests on the other replica when one replica is SIGKILLed mid-request', async () => {
    const port = await freePort();
    const system = await started(`services:\n${appService('app', port)}`);
    await until(() => system.supervisor.routable('app').length === 2, 10_000, 'two ready replicas');
    const load = steadyLoad(`http://127.0.0.1:${port}/?delay=50`, 6);
    await sleep(400);
    process.kill(-system.supervisor.replicas('app')[0]!.pgid!, 'SIGKILL');
    await sleep(600);
    const result = await load.stop();
    const metrics = system.registry.render();
    const retries = Number(/homeostat_front_door_retries_total\{service="app"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    assert.ok(retries >= 1, `requests in flight on the killed replica were retried:\n${metrics}`);
    assert.deepEqual(result.failures, [], `retried ${retries}`);
    assert.match(metrics, /homeostat_front_door_upstream_errors_total\{replica="app#0",service="app"\} \d+/);
  });

  it('does not retry a POST without an Idempotency-Key that its replica may have received', async () => {
    const port = await freePort();
    const system = await started(`services:\n${appService('app', port)}`);
    await until(() => system.supervisor.routable('app').length === 2, 10_000, 'two ready replicas');
    const replica = system.supervisor.replicas('app')[0]!;
    // Two slow POSTs, one on each replica; then app#0 is killed.
    const answers = Promise.all(
      [0, 1].map(async () => {
        const response = await fetch(`http://127.0.0.1:${port}/?delay=2000`, { method: 'POST', body: 'charge' });
        return response.status;
      }),
    );
    await sleep(300);
    process.kill(-replica.pgid!, 'SIGKILL');
    const statuses = await answers;
    assert.deepEqual(statuses.sort(), [200, 502], 'the POST on the killed replica failed (502) rather than being sent twice');
  });

  it('streams an answer as it comes, and cuts the caller off when its replica dies mid-answer (never a short answer that looks whole)', async () => {
    const port = await freePort();
    const system = await started(`services:\n${appService('app', port)}`);
    await until(() => system.supervisor.routable('app').length === 2, 10_000, 'two ready replicas');
    const { request } = await import('node:http');
    const outcome = await new Promise<{ firstPart: string; ended: boolean; error?: string }>((resolve) => {
      const req = request(`http://127.0.0.1:${port}/stream`, (res) => {
        res.setEncoding('utf8');
        let firstPart = '';
        res.once('data', (chunk: string) => {
          firstPart = chunk;
          // The first part arrived while the replica still holds the rest: kill it now.
          const instance = /from (\S+)/.exec(chunk)![1]!;
          const victim = system.supervisor.replicas('app').find((replica) => replica.instance === instance)!;
          process.kill(-victim.pgid!, 'SIGKILL');
        });
        res.on('end', () => resolve({ firstPart, ended: true }));
        res.on('error', (error) => resolve({ firstPart, ended: false, error: error.message }));
      });
      req.on('error', (error) => resolve({ firstPart: '', ended: false, error: error.message }));
      req.end();
    });
    assert.match(outcome.firstPart, /^first part from app#\d\n$/, 'the first part came through before the answer ended');
    assert.equal(outcome.ended, false, `the caller saw the cut: ${outcome.error}`);
    assert.match(system.registry.render(), /homeostat_front_door_upstream_errors_total\{replica="app#\d",service="app"\} 1/);
  });

  it('takes a replica whose readiness fails out of the pool at once, and answers 503 when none is ready', async () => {
    const port = await freePort();
    const system = await started(`services:\n${appService('app', port)}`);
    await until(() => system.supervisor.routable('app').length === 2, 10_000, 'two ready replicas');
    const [first, second] = system.supervisor.replicas('app');
    await fetch(`http://127.0.0.1:${first!.port}/unready`, { method: 'POST' }).then((r) => r.text());
    await until(() => system.supervisor.routable('app').length === 1, 5_000, 'app#0 out of the pool');
    const bodies = await Promise.all(Array.from({ length: 10 }, async () => (await fetch(`http://127.0.0.1:${port}/`)).text()));
    assert.deepEqual(new Set(bodies.map((body) => body.split(' ')[1])), new Set(['app#1']));
    assert.match(system.registry.render(), /homeostat_front_door_pool_size\{service="app"\} 1/);
    await fetch(`http://127.0.0.1:${second!.port}/unready`, { method: 'POST' }).then((r) => r.text());
    await until(() => system.supervisor.routable('app').length === 0, 5_000, 'an empty pool');
    const response = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '1');
    assert.match(await response.text(), /no ready replica of app/);
  });

  it('forwards headers end to end: X-Forwarded-For appended, hop-by-hop ones dropped, bodies echoed', async () => {
    const port = await freePort();
    const system = await started(`services:\n${appService('app', port)}`);
    await until(() => system.supervisor.routable('app').length === 2, 10_000, 'two ready replicas');
    const body = await (await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-forwarded-for': '10.1.2.3' } })).text();
    assert.match(body, / 10\.1\.2\.3, 127\.0\.0\.1$/);
    const { request } = await import('node:http');
    // fetch cannot send a Connection header: node:http can.
    const seen = await new Promise<{ headers: Record<string, string>; answer: Record<string, unknown> }>((resolve, reject) => {
      const req = request(`http://127.0.0.1:${port}/headers`, { headers: { connection: 'keep-alive, x-private', 'x-private': 'for the front door only', 'x-kept': 'yes' } }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ headers: JSON.parse(text) as Record<string, string>, answer: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(seen.headers['x-kept'], 'yes');
    assert.equal(seen.headers['x-private'], undefined, 'a header the Connection header names is hop-by-hop');
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.answer['x-hop'], undefined, 'the same holds for the answer');
    const big = 'y'.repeat(200_000);
    const echoed = await (await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: big })).text();
    assert.equal(echoed, big);
  });

  it('gives each replica of an exposed service a port even when only $PORT reads it', async () => {
    const port = await freePort();
    const system = await started(`services:
  app:
    command: $NODE
    args: [traffic-app.js]
    cwd: $FIXTURES
    replicas: 2
    expose: { port: ${port} }
`);
    // No readiness probe: a replica takes traffic once spawned, and a refused connection goes to the other.
    await until(() => system.supervisor.routable('app').length === 2, 10_000, 'two replicas with a port');
    await sleep(300);
    const bodies = await Promise.all([0, 1, 2, 3].map(async () => (await fetch(`http://127.0.0.1:${port}/`)).text()));
    assert.deepEqual(new Set(bodies.map((body) => body.split(' ')[1])), new Set(['app#0', 'app#1']));
  });

  it('pipes TCP connections both ways, with the half-close, to a ready replica', async () => {
    const port = await freePort();
    const system = await started(`services:
  echo:
    command: $NODE
    args: [traffic-app.js, --tcp, --port, "{{port}}"]
    cwd: $FIXTURES
    replicas: 2
    probes:
      readiness: { tcp: true, period: 100ms, timeout: 500ms, failureThreshold: 1 }
    expose: { port: ${port}, protocol: tcp }
`);
    await until(() => system.supervisor.routable('echo').length === 2, 10_000, 'two ready replicas');
    const exchange = () =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end('hello front door'));
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString()));
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
      });
    const answers = await Promise.all([exchange(), exchange()]);
    assert.deepEqual(answers.sort(), ['echo#0:HELLO FRONT DOOR', 'echo#1:HELLO FRONT DOOR']);
    assert.match(system.registry.render(), /homeostat_front_door_connections_total\{replica="echo#0",service="echo"\} 1/);
  });
});
