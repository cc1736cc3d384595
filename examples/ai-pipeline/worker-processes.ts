/**
 * The demo's worker child processes: start them, relay their output, kill one on
 * purpose, and make sure none outlives the demo — whatever way the demo ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface WorkerSettings {
  storeUrl: string;
  documentsUrl: string;
  swiftUrl: string;
  sageUrl: string;
  outDir: string;
  concurrency: number;
}

export interface WorkerProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
}

const WORKER_SCRIPT = fileURLToPath(new URL('./worker.js', import.meta.url));
const READY_TIMEOUT_MS = 15_000;

export class WorkerProcesses {
  private readonly live = new Map<string, WorkerProcess>();
  private readonly expectedExits = new Set<string>();
  private readonly onExit = () => this.killAllNow();

  constructor(
    private readonly settings: WorkerSettings,
    private readonly log: (line: string) => void,
  ) {
    // A last resort: if the demo's process exits without stopping its workers
    // (an uncaught error, process.exit), they die with it instead of lingering.
    process.on('exit', this.onExit);
  }

  /** Start a worker and wait until it has opened the store and registered the workflow. */
  async start(name: string): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [WORKER_SCRIPT], {
      env: {
        ...process.env,
        HOMEOSTAT_STORE: this.settings.storeUrl,
        DEMO_DOCUMENTS_URL: this.settings.documentsUrl,
        DEMO_SWIFT_URL: this.settings.swiftUrl,
        DEMO_SAGE_URL: this.settings.sageUrl,
        DEMO_OUT_DIR: this.settings.outDir,
        DEMO_WORKER_NAME: name,
        DEMO_WORKER_CONCURRENCY: String(this.settings.concurrency),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker: WorkerProcess = { name, pid: child.pid ?? -1, child };
    this.live.set(name, worker);
    child.once('exit', (code, signal) => {
      this.live.delete(name);
      // Exits the demo caused are reported by the demo; any other one is news.
      if (!this.expectedExits.delete(name)) this.log(`  [${name}] exited unexpectedly (${signal ?? `exit code ${code}`})`);
    });

    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not report ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited before it was ready (${signal ?? `exit code ${code}`})`));
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('ready')) {
          clearTimeout(timer);
          resolve();
        }
        this.log(`  [${name}] ${line}`);
      });
    });
    createInterface({ input: child.stderr! }).on('line', (line) => this.log(`  [${name}] stderr: ${line}`));
    await ready;
    return worker;
  }

  get(name: string): WorkerProcess | undefined {
    return this.live.get(name);
  }

  /** SIGKILL: no handler runs, no lease is released, in-flight steps are cut off. */
  async kill(name: string): Promise<void> {
    const worker = this.live.get(name);
    if (!worker) return;
    const exited = new Promise((resolve) => worker.child.once('exit', resolve));
    this.expectedExits.add(name);
    worker.child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM every worker (they hand their runs back), SIGKILL any still alive after `graceMs`. */
  async stopAll(graceMs = 3_000): Promise<void> {
    const stopping = [...this.live.values()].map(async (worker) => {
      const exited = new Promise((resolve) => worker.child.once('exit', resolve));
      this.expectedExits.add(worker.name);
      worker.child.kill('SIGTERM');
      const timer = setTimeout(() => worker.child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    });
    await Promise.all(stopping);
    process.off('exit', this.onExit);
  }

  private killAllNow(): void {
    for (const worker of this.live.values()) worker.child.kill('SIGKILL');
  }
}
