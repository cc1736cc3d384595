import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type LoadedConfig } from '../../../src/config/load-config.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { ElementEvent } from '../../../src/supervisor/element-events.js';
import { Supervisor } from '../../../src/supervisor/supervisor.js';

/** The compiled example system (dist/examples/system), found from this compiled file. */
export const EXAMPLES = fileURLToPath(new URL('../../../examples/system/', import.meta.url));

/**
 * A supervisor over real processes, for one test: the YAML is written to a temp folder
 * (so errors and logs have real paths), events are collected, and `close` stops every
 * process and removes the folder.
 */
export class Harness {
  readonly events: ElementEvent[] = [];
  readonly supervisor: Supervisor;
  readonly store: SqliteStore;
  readonly loaded: LoadedConfig;
  readonly configPath: string;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly dir: string, yaml: string) {
    this.configPath = join(dir, 'homeostat.yaml');
    writeFileSync(this.configPath, yaml);
    this.loaded = loadConfig(this.configPath);
    this.store = SqliteStore.open(join(this.loaded.stateDir, 'homeostat.db'));
    this.supervisor = new Supervisor({ config: this.loaded.config, baseDir: this.loaded.baseDir, stateDir: this.loaded.stateDir, store: this.store, owner: 'test' });
    this.supervisor.on((event) => {
      this.events.push(event);
      for (const waiter of this.waiters) waiter();
    });
  }

  /** `yaml` may use `$EXAMPLES` for the folder of the compiled example services. */
  static async start(yaml: string): Promise<Harness> {
    const dir = mkdtempSync(join(tmpdir(), 'homeostat-sup-'));
    const harness = new Harness(dir, yaml.replaceAll('$EXAMPLES', EXAMPLES));
    await harness.supervisor.start();
    return harness;
  }

  /** Wait for an event matching `predicate` (also among those already seen, after `fromIndex`). */
  waitFor<K extends ElementEvent['kind']>(
    kind: K,
    predicate: (event: Extract<ElementEvent, { kind: K }>) => boolean = () => true,
    timeoutMs = 15_000,
    fromIndex = 0,
  ): Promise<Extract<ElementEvent, { kind: K }>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(fromIndex).find((event) => event.kind === kind && predicate(event as Extract<ElementEvent, { kind: K }>));
        if (!found) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found as Extract<ElementEvent, { kind: K }>);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${kind}; events:\n${this.events.map((e) => JSON.stringify(e)).join('\n')}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** The pid of a replica's running process. */
  pid(service: string, replica = 0): number {
    const pid = this.supervisor.replicas(service)[replica]?.pgid;
    if (pid === undefined) throw new Error(`${service}#${replica} has no running process`);
    return pid;
  }

  async close(): Promise<void> {
    try {
      await this.supervisor.stop();
      await this.store.close();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/** POST to a fault endpoint of an example service. */
export async function fault(port: number, name: string, query = ''): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/fault/${name}${query}`, { method: 'POST' });
  if (!response.ok) throw new Error(`fault ${name}: HTTP ${response.status}`);
  await response.text();
}
