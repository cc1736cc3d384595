import { spawn, type ChildProcess } from 'node:child_process';
import { stopChild } from './stop-child.js';

/**
 * A private node_exporter (Debian's `prometheus-node-exporter`) on a loopback port, with only
 * a few small collectors (load average, memory, time) so a scrape stays cheap; `close` stops it.
 */
export class PrivateNodeExporter {
  readonly url: string;
  readonly output: string[] = [];

  private constructor(
    port: number,
    private readonly child: ChildProcess,
  ) {
    this.url = `http://127.0.0.1:${port}/metrics`;
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean)));
  }

  static async start(port: number): Promise<PrivateNodeExporter> {
    const child = spawn(
      'prometheus-node-exporter',
      [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.loadavg', '--collector.meminfo', '--collector.time', '--log.level=warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exporter = new PrivateNodeExporter(port, child);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus-node-exporter exited (${child.exitCode}):\n${exporter.output.slice(-20).join('\n')}`);
      if ((await fetch(exporter.url).catch(() => undefined))?.ok) return exporter;
      if (Date.now() > deadline) throw new Error(`prometheus-node-exporter did not answer on ${exporter.url}:\n${exporter.output.slice(-20).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async close(): Promise<void> {
    await stopChild(this.child);
  }
}
