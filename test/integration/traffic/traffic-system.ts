import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/load-config.js';
import { Supervisor } from '../../../src/supervisor/supervisor.js';
import { MetricsRegistry } from '../../../src/telemetry/metrics.js';
import { FrontDoors } from '../../../src/traffic/front-doors.js';

/** The compiled test fixtures (dist/test/integration/fixtures). */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/**
 * A supervisor over real processes with its front doors open, as `up` wires them (doors
 * first, closed last), for one test: `$NODE` and `$FIXTURES` are filled in the YAML.
 */
export async function trafficSystem(yaml: string): Promise<{ supervisor: Supervisor; doors: FrontDoors; registry: MetricsRegistry; dir: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'homeostat-traffic-'));
  const path = join(dir, 'homeostat.yaml');
  writeFileSync(path, `stateDir: state\n${yaml.replaceAll('$NODE', process.execPath).replaceAll('$FIXTURES', FIXTURES)}`);
  const loaded = loadConfig(path);
  const supervisor = new Supervisor({ config: loaded.config, baseDir: loaded.baseDir, stateDir: loaded.stateDir, owner: 'test' });
  const registry = new MetricsRegistry();
  const doors = await FrontDoors.open({ config: loaded.config, supervisor, registry });
  await supervisor.start();
  return {
    supervisor,
    doors,
    registry,
    dir,
    close: async () => {
      await supervisor.stop();
      await doors.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The YAML of one test-app service (fixtures/traffic-app.ts, with `flags`) behind a front door on `port`, with a 100 ms readiness probe. */
export function appService(name: string, port: number | undefined, extra = '', flags: string[] = []): string {
  return `  ${name}:
    command: $NODE
    args: [traffic-app.js, --port, "{{port}}"${flags.map((flag) => `, ${flag}`).join('')}]
    cwd: $FIXTURES
    replicas: 2
    gracePeriod: 3s
    probes:
      readiness: { http: /healthz, period: 100ms, timeout: 500ms, failureThreshold: 1 }
${port === undefined ? '' : `    expose: { port: ${port} }\n`}${extra}`;
}

/** Poll `check` every 20 ms until it is true; throws after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
