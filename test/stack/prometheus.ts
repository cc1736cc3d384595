import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './stop-child.js';

/**
 * A private Prometheus (Debian's `prometheus`) on a loopback port, with a config the test
 * writes and its own TSDB in a temp folder; `close` stops it and removes the folder.
 * Evaluation and scrapes every second, alerts re-sent every second, so tests wait seconds.
 */
export class PrivatePrometheus {
  readonly url: string;
  private readonly dir: string;
  private readonly child: ChildProcess;
  readonly output: string[] = [];

  private constructor(port: number, dir: string, child: ChildProcess) {
    this.url = `http://127.0.0.1:${port}`;
    this.dir = dir;
    this.child = child;
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean)));
  }

  /** Start it with `config` (prometheus.yml text; `rules` is written beside it as rules.yml). */
  static async start(port: number, config: string, rules?: string): Promise<PrivatePrometheus> {
    const dir = mkdtempSync(join(tmpdir(), 'homeostat-prometheus-'));
    writeFileSync(join(dir, 'prometheus.yml'), rules ? `${config}\nrule_files: [${JSON.stringify(join(dir, 'rules.yml'))}]\n` : config);
    if (rules) writeFileSync(join(dir, 'rules.yml'), rules);
    const child = spawn(
      'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--rules.alert.resend-delay=1s', '--log.level=warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const prometheus = new PrivatePrometheus(port, dir, child);
    await prometheus.waitUntil(async () => (await fetch(`${prometheus.url}/-/ready`).catch(() => undefined))?.ok === true, 30_000, 'Prometheus ready');
    return prometheus;
  }

  /** A prometheus.yml scraping one target as `job` every second (for {@link start}). */
  static scrapingOne(job: string, target: string): string {
    return `global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: ${job}
    static_configs: [{ targets: ["${target}"] }]
`;
  }

  /** The vector of an instant PromQL query (`[{ metric, value: [time, "text"] }]`). */
  async query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as { status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string };
    if (body.status !== 'success') throw new Error(`query ${promql}: ${body.error}`);
    return body.data!.result;
  }

  /** The alerts its rules hold now (`/api/v1/alerts`): pending or firing, with their labels. */
  async alerts(): Promise<{ labels: Record<string, string>; state: 'pending' | 'firing'; value: string }[]> {
    const body = (await (await fetch(`${this.url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: 'pending' | 'firing'; value: string }[] } };
    return body.data.alerts;
  }

  async waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`prometheus exited (${this.child.exitCode}) waiting for ${what}:\n${this.output.slice(-20).join('\n')}`);
      if (await check().catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${this.output.slice(-20).join('\n')}`);
  }

  async close(): Promise<void> {
    await stopChild(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
