/**
 * The demo's stand-in agents as child processes: each gets its own agent token (created
 * with the CLI, as an operator would), and the demo follows their events on stdout. One is
 * SIGKILLed on purpose; none outlives the demo (their stdin is the demo's pipe).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { UpProcess } from './homeostat-up.js';

const AGENT_SCRIPT = fileURLToPath(new URL('./agent-process.js', import.meta.url));
const READY_TIMEOUT_MS = 15_000;

export interface AgentEvent {
  type: string;
  id?: string;
  capability?: string;
}

export interface AgentSpec {
  name: string;
  capability: string;
  workMs: number;
  wrong?: boolean;
}

export interface AgentProcess extends AgentSpec {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly events: AgentEvent[];
}

export class AgentProcesses {
  private readonly live = new Map<string, AgentProcess>();
  private readonly listeners = new Set<(agent: string, event: AgentEvent) => void>();
  private readonly onExit = () => {
    for (const agent of this.live.values()) agent.child.kill('SIGKILL');
  };

  constructor(
    private readonly up: UpProcess,
    private readonly log: (line: string) => void,
  ) {
    process.on('exit', this.onExit);
  }

  /** Create the agent's token and start it; resolves once it has registered. */
  async start(spec: AgentSpec): Promise<AgentProcess> {
    const created = await this.up.cli('token', 'create', '--role', 'agent', '--name', `${spec.name}-token`);
    const token = created.out.split('\n')[0]?.trim();
    if (created.status !== 0 || !token) throw new Error(`homeostat token create for ${spec.name} failed: ${created.err || created.out}`);
    const args = [AGENT_SCRIPT, this.up.apiUrl, token, spec.name, spec.capability, String(spec.workMs), ...(spec.wrong ? ['wrong'] : [])];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const agent: AgentProcess = { ...spec, pid: child.pid ?? -1, child, events: [] };
    this.live.set(spec.name, agent);
    child.once('exit', () => this.live.delete(spec.name));
    createInterface({ input: child.stderr! }).on('line', (line) => this.log(`  [${spec.name}] stderr: ${line}`));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${spec.name} did not register within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${spec.name} exited before registering (${signal ?? `exit code ${code}`})`));
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        let event: AgentEvent;
        try {
          event = JSON.parse(line) as AgentEvent;
        } catch {
          this.log(`  [${spec.name}] ${line}`);
          return;
        }
        agent.events.push(event);
        if (event.type === 'registered') {
          clearTimeout(timer);
          resolve();
        }
        for (const listener of this.listeners) listener(spec.name, event);
      });
    });
    return agent;
  }

  /** Resolves with the first event of `agent` that `match` accepts (past or future). */
  waitFor(agent: string, match: (event: AgentEvent) => boolean, timeoutMs: number): Promise<AgentEvent> {
    const seen = this.live.get(agent)?.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`${agent} did not report the awaited event within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (name: string, event: AgentEvent) => {
        if (name !== agent || !match(event)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(event);
      };
      this.listeners.add(listener);
    });
  }

  /** SIGKILL: no handler runs, no heartbeat is sent again, its task's lease simply lapses. */
  async kill(name: string): Promise<number | undefined> {
    const agent = this.live.get(name);
    if (!agent) return undefined;
    const exited = new Promise((resolve) => agent.child.once('exit', resolve));
    agent.child.kill('SIGKILL');
    await exited;
    return agent.pid;
  }

  /** End every agent (closing stdin tells it to exit), SIGKILL any still there after `graceMs`. */
  async stopAll(graceMs = 3_000): Promise<void> {
    await Promise.all(
      [...this.live.values()].map(async (agent) => {
        const exited = new Promise((resolve) => agent.child.once('exit', resolve));
        agent.child.stdin?.end();
        const timer = setTimeout(() => agent.child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }),
    );
    process.off('exit', this.onExit);
  }
}
