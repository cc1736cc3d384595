// homeostat's side of the traffic bench, in its own process: the supervisor and its front
// doors from dist/, wired as `homeostat up` wires them (doors open before the supervisor
// starts, closed after it stopped), without the control loop — the bench calls what the
// loop's actions call: the restart action's `control.restart(service)` (rolling behind a
// front door) and the failover action's `supervisor.failover(service)`.
// Commands on stdin, one per line, each answered with one JSON line on stdout:
//   pids | routable | restart | failover | stop
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';

const [configPath, dist] = process.argv.slice(2);
const load = (path) => import(join(resolve(dist), path));
const { loadConfig } = await load('src/config/load-config.js');
const { Supervisor } = await load('src/supervisor/supervisor.js');
const { FrontDoors } = await load('src/traffic/front-doors.js');
const { MetricsRegistry } = await load('src/telemetry/metrics.js');
const { supervisorControl } = await load('src/execute/element-control.js');

const loaded = loadConfig(configPath);
const supervisor = new Supervisor({ config: loaded.config, baseDir: loaded.baseDir, stateDir: loaded.stateDir, owner: 'bench' });
const registry = new MetricsRegistry();
const doors = await FrontDoors.open({ config: loaded.config, supervisor, registry });
await supervisor.start();
const control = supervisorControl(supervisor);
const reply = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
reply({ started: true });
for await (const line of createInterface({ input: process.stdin })) {
  const [command, service = 'app'] = line.trim().split(' ');
  if (command === 'pids') reply(Object.fromEntries(supervisor.status().map((s) => [s.instance, s.pid])));
  else if (command === 'routable') reply(supervisor.routable(service));
  else if (command === 'restart') {
    await control.restart(service);
    reply({ restarted: service });
  } else if (command === 'failover') reply(supervisor.failover(service, 'bench') ?? null);
  else if (command === 'metrics') reply(registry.render());
  else if (command === 'stop') break;
}
await supervisor.stop();
await doors.close();
reply({ stopped: true });
process.exit(0);
