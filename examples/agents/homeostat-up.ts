/**
 * `homeostat up` for the agents demo, as a child process: it serves the API the agents
 * talk to (registry, claims, heartbeats, the inbox) and runs the loop that watches every
 * agent as the element `agent:<name>`. `cli()` runs other `homeostat` commands against it,
 * exactly as a user would type them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The CLI, compiled beside the example (dist/src/cli/bin.js). */
export const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

/**
 * Agents are elements of the loop; one whose answers keep losing quorums (below 50 %
 * agreement over at least 3 votes) raises `agent-dissenting`, and the policy quarantines it.
 */
const AGENT_ELEMENTS = { unresponsiveWhen: 'dead', minReliability: 0.5, minVotes: 3, every: '200ms' };
const POLICIES = {
  'quarantine-dissenters': {
    match: { symptom: ['agent-dissenting'] },
    ladder: [{ action: 'quarantine' }, { action: 'escalate' }],
    verify: { healthyFor: '500ms', timeout: '20s' },
  },
};

export interface CliResult {
  status: number;
  out: string;
  err: string;
}

export interface UpProcess {
  readonly pid: number;
  readonly apiUrl: string;
  readonly configPath: string;
  /** Run `homeostat <args> -c <config>`; resolves with its exit status and output. */
  cli(...args: string[]): Promise<CliResult>;
  /** Run `homeostat <args> --api <url>` with `$HOMEOSTAT_TOKEN` set: as the person that token names. */
  cliAs(token: string, ...args: string[]): Promise<CliResult>;
  stop(): Promise<void>;
}

export async function startUp(dir: string, storeUrl: string, log: (line: string) => void): Promise<UpProcess> {
  const configPath = join(dir, 'homeostat.yaml');
  // JSON is YAML.
  const config = { stateDir: 'up', store: storeUrl, agentElements: AGENT_ELEMENTS, policies: POLICIES };
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const child: ChildProcess = spawn(process.execPath, [BIN, 'up', '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  // A last resort: `up` dies with the demo, whatever way the demo ends.
  const onExit = () => child.kill('SIGKILL');
  process.on('exit', onExit);
  let apiUrl = '';
  const ready = new Promise<void>((resolve, reject) => {
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
  await ready;
  return {
    pid: child.pid ?? -1,
    apiUrl,
    configPath,
    cli: (...args) => runCli([...args, '-c', configPath]),
    cliAs: (token, ...args) => runCli([...args, '--api', apiUrl], { HOMEOSTAT_TOKEN: token }),
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

function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ status: code ?? -1, out, err }));
  });
}
