/**
 * `homeostat up` as a child process, for the demos: the config written as JSON (JSON is
 * YAML), `up` started on it, ready once its API listens. Its loop's lines (incidents opened,
 * escalated, resolved) and its stderr go to `log`. Both demos start `up` this way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The CLI, compiled beside the examples (dist/src/cli/bin.js). */
export const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

export interface UpChild {
  readonly pid: number;
  /** Where its API listens (`up` prints it once the loop runs). */
  readonly apiUrl: string;
  readonly configPath: string;
  /** SIGTERM, then SIGKILL after 10 s; resolves once it exited. */
  stop(): Promise<void>;
}

/** Write `config` to `<dir>/homeostat.yaml` and start `up` on it; resolves once it is ready. */
export async function startUpProcess(dir: string, config: Record<string, unknown>, log: (line: string) => void): Promise<UpChild> {
  const configPath = join(dir, 'homeostat.yaml');
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const child: ChildProcess = spawn(process.execPath, [BIN, 'up', '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  // A last resort: `up` dies with the demo, whatever way the demo ends.
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);
  let apiUrl = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`homeostat up did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`homeostat up exited before it was ready (${signal ?? `exit code ${code}`})`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      // Printed once the loop runs and the API listens.
      const api = /API at (\S+) /.exec(line);
      if (api) {
        apiUrl = api[1]!;
        clearTimeout(timer);
        resolve();
      }
      if (line.startsWith('loop: ')) log(`  [up] ${line.slice('loop: '.length)}`);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => log(`  [up] stderr: ${line}`));
  });
  return {
    pid: child.pid ?? -1,
    apiUrl,
    configPath,
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
