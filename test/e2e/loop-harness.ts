import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { Knowledge } from '../../src/knowledge/knowledge.js';
import type { IncidentRecord } from '../../src/store/records.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';

/** The compiled CLI and example system, found from this compiled file. */
export const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
export const EXAMPLES = fileURLToPath(new URL('../../examples/system/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/**
 * One `homeostat up` child process over a temp folder, for one end-to-end loop test:
 * the YAML (with `$EXAMPLES` and `$NODE` substituted) is written there, stdout and stderr
 * lines are collected, the CLI is called in-process against the same store, and
 * `close` stops `up` and every process it ever spawned (also after a SIGKILL of `up`).
 */
export class UpHarness {
  readonly dir: string;
  readonly configPath: string;
  readonly lines: string[] = [];
  child: ChildProcess | undefined;
  metricsUrl = '';
  private readonly dbPath: string;
  private store: SqliteStore | undefined;

  constructor(yaml: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'homeostat-loop-e2e-'));
    this.configPath = join(this.dir, 'homeostat.yaml');
    this.dbPath = join(this.dir, 'state', 'homeostat.db');
    writeFileSync(this.configPath, `stateDir: state\n${yaml.replaceAll('$EXAMPLES', EXAMPLES).replaceAll('$NODE', process.execPath)}`);
  }

  /** Start `homeostat up` (with `env` added to this process's) and wait for its loop to report its metrics URL. */
  async up(env: Record<string, string> = {}): Promise<void> {
    // The marker is inherited by every process `up` spawns: `killSpawned` finds them by it.
    const child = spawn(process.execPath, [BIN, 'up', '-c', this.configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, HOMEOSTAT_E2E_RUN: this.dir } });
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = '';
      stream.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString()).split('\n');
        rest = parts.pop() ?? '';
        this.lines.push(...parts);
      });
    }
    const line = await this.waitForLine(/loop metrics at (\S+),/, 20_000);
    this.metricsUrl = /loop metrics at (\S+),/.exec(line)![1]!;
  }

  async waitForLine(pattern: RegExp, timeoutMs = 15_000, from = 0): Promise<string> {
    return this.waitFor(() => this.lines.slice(from).find((l) => pattern.test(l)), timeoutMs, `a line matching ${pattern}`);
  }

  async waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- homeostat up output ---\n${this.lines.slice(-60).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The store `up` writes (opened read-write, as the CLI does). */
  db(): SqliteStore {
    this.store ??= SqliteStore.open(this.dbPath);
    return this.store;
  }

  knowledge(): Knowledge {
    return new Knowledge(this.db());
  }

  async incidents(): Promise<IncidentRecord[]> {
    return this.db().listIncidents({ limit: 100 });
  }

  async waitForIncident(predicate: (incident: IncidentRecord) => boolean, timeoutMs: number, what: string): Promise<IncidentRecord> {
    return this.waitFor(async () => (await this.incidents()).find(predicate), timeoutMs, what);
  }

  /** Run a CLI command in-process against this config; returns status and output. */
  async cli(...args: string[]): Promise<{ status: number; out: string }> {
    const lines: string[] = [];
    const status = await main([...args, '-c', this.configPath], (l) => lines.push(l), (l) => lines.push(l));
    return { status, out: lines.join('\n') };
  }

  /** The port of a replica (`api#0`), from the states `up` saves. */
  async portOf(instance: string): Promise<number> {
    return this.waitFor(
      async () => {
        const state = (await this.db().listElementStates()).find((s) => s.instance === instance && s.state === 'running');
        const port = state ? (JSON.parse(state.data) as { port: number | null }).port : null;
        return port ?? undefined;
      },
      15_000,
      `a running ${instance} with a port`,
    );
  }

  /** Wait until every replica of `service` is healthy (as saved by `up`). */
  async healthy(service: string, replicas = 1, timeoutMs = 20_000): Promise<void> {
    await this.waitFor(async () => (await this.db().listElementStates()).filter((s) => s.element === service && s.health === 'healthy').length >= replicas, timeoutMs, `${replicas} healthy ${service}`);
  }

  async fault(instance: string, fault: string): Promise<void> {
    const port = await this.portOf(instance);
    await fetch(`http://127.0.0.1:${port}/fault/${fault}`, { method: 'POST' }).then((r) => r.arrayBuffer());
  }

  async metrics(): Promise<string> {
    return (await fetch(this.metricsUrl)).text();
  }

  /** Stop `up` (SIGTERM, then SIGKILL) and wait for it. */
  async down(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }

  /** Kill every process `up` ever spawned (their groups), as after the controller's host died. */
  async killSpawned(): Promise<void> {
    // Events reach the store in batches, so a SIGKILLed `up` may not have written its last
    // spawn: find the processes by the marker in their environment too (Linux /proc).
    const pids = new Set<number>(marked(`HOMEOSTAT_E2E_RUN=${this.dir}`));
    try {
      for (const event of await this.db().listEvents({ kinds: ['process-spawned'], limit: 10_000 })) {
        const pid = (JSON.parse(event.data) as { pid?: number }).pid;
        if (pid) pids.add(pid);
      }
    } catch {
      // no store yet
    }
    for (const pid of pids) {
      if (pid === this.child?.pid && this.child.exitCode === null && this.child.signalCode === null) continue;
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }
  }

  async close(): Promise<void> {
    await this.down();
    await this.killSpawned();
    await this.store?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function marked(entry: string): number[] {
  const found: number[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return found;
  }
  for (const name of names) {
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(entry)) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/**
 * The example API (examples/system/api.ts) as one entry under a test YAML's `services:`,
 * with the liveness probe most loop tests use; `$NODE` and `$EXAMPLES` are filled in by
 * {@link UpHarness}.
 * @example new UpHarness(`services:\n${exampleApiService()}\npolicies: …`)
 */
export function exampleApiService(name = 'api', probeTimeout = '500ms'): string {
  return `  ${name}:
    command: $NODE
    args: [api.js, --port, "{{port}}"]
    cwd: $EXAMPLES
    probes:
      liveness: { http: /healthz, period: 250ms, timeout: ${probeTimeout}, failureThreshold: 3 }`;
}

/**
 * A service (YAML lines under `services:`) whose readiness fails while `unreadyFile` exists
 * (`fixtures/file-ready-server.ts`): no restart heals it; the test "fixes it by hand" by
 * deleting the file.
 * @example new UpHarness(`services:\n${fileReadyService('app', unready)}policies: …`)
 */
export function fileReadyService(name: string, unreadyFile: string): string {
  return `  ${name}:
    command: $NODE
    args: [file-ready-server.js, --port, "{{port}}", --unready-file, "${unreadyFile}"]
    cwd: ${FIXTURES}
    probes:
      readiness: { http: /healthz, period: 250ms, timeout: 1s, failureThreshold: 2 }
`;
}

/**
 * A fixture exporter (`test/e2e/fixtures/<script>`, compiled) as service `app`, scraped every
 * 300 ms, with the rule `app-errors` on its error rate (5 s rate above 5/s).
 */
export function errorRateExporterConfig(script: string): string {
  return `
services:
  app:
    command: $NODE
    args: [${script}, --port, "{{port}}"]
    cwd: ${FIXTURES}
    probes:
      liveness: { http: /healthz, period: 500ms, timeout: 1s, failureThreshold: 3 }
monitor:
  scrape: [{ service: app, every: 300ms }]
symptoms:
  app-errors: { service: app, metric: app_errors_total, aggregate: rate, window: 5s, above: 5 }
`;
}

/** A local HTTP receiver for escalation webhooks. */
export async function webhookReceiver(): Promise<{ url: string; received: { path: string; body: Record<string, unknown>; headers: IncomingHttpHeaders }[]; close: () => Promise<void> }> {
  const received: { path: string; body: Record<string, unknown>; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      try {
        received.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown>, headers: req.headers });
      } catch {
        received.push({ path: req.url ?? '', body: { raw: body }, headers: req.headers });
      }
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
