/**
 * `homeostat up` for the agents demo, as a child process: it serves the API the agents
 * talk to (registry, claims, heartbeats, the inbox) and runs the loop that watches every
 * agent as the element `agent:<name>`. `cli()` runs other `homeostat` commands against it,
 * exactly as a user would type them.
 */
import { spawn } from 'node:child_process';
import { BIN, startUpProcess, type UpChild } from '../shared/up-process.js';

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

export interface UpProcess extends UpChild {
  /** Run `homeostat <args> -c <config>`; resolves with its exit status and output. */
  cli(...args: string[]): Promise<CliResult>;
  /** Run `homeostat <args> --api <url>` with `$HOMEOSTAT_TOKEN` set: as the person that token names. */
  cliAs(token: string, ...args: string[]): Promise<CliResult>;
}

export async function startUp(dir: string, storeUrl: string, log: (line: string) => void): Promise<UpProcess> {
  const up = await startUpProcess(dir, { stateDir: 'up', store: storeUrl, agentElements: AGENT_ELEMENTS, policies: POLICIES }, log);
  return {
    pid: up.pid,
    apiUrl: up.apiUrl,
    configPath: up.configPath,
    stop: () => up.stop(),
    cli: (...args) => runCli([...args, '-c', up.configPath]),
    cliAs: (token, ...args) => runCli([...args, '--api', up.apiUrl], { HOMEOSTAT_TOKEN: token }),
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
