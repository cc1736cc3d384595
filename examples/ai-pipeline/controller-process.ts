/**
 * `homeostat up` for the demo: the autonomic loop over the same store the workers use. It
 * reads the model attempts the workers record, sees `swift` degrade, opens an incident
 * and drains the provider by the policy — in the store, which every worker follows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The CLI, compiled beside the example (dist/src/cli/bin.js). */
const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

export interface ControllerSettings {
  /** Where homeostat.yaml and up's own state go. */
  dir: string;
  /** The store the workers use. */
  storeUrl: string;
  /** The `models:` section (the workers' own) and the `policies:` that act on providers. */
  models: unknown;
  policies: unknown;
}

export interface ControllerProcess {
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * Write the config (JSON is YAML) and start `up`; resolves once its loop is running. Its
 * lines about incidents (opened, escalated, resolved) go to `log`.
 */
export async function startController(settings: ControllerSettings, log: (line: string) => void): Promise<ControllerProcess> {
  const configPath = join(settings.dir, 'homeostat.yaml');
  const config = { stateDir: 'up', store: settings.storeUrl, models: settings.models, policies: settings.policies };
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const child: ChildProcess = spawn(process.execPath, [BIN, 'up', '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  // A last resort: `up` dies with the demo, whatever way the demo ends.
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`homeostat up did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`homeostat up exited before it was ready (${signal ?? `exit code ${code}`})`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('loop metrics at')) {
        clearTimeout(timer);
        resolve();
      }
      if (line.startsWith('loop: ')) log(`  [up] ${line.slice('loop: '.length)}`);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => log(`  [up] stderr: ${line}`));
  });
  await ready;
  return {
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', onExit);
    },
  };
}
