import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild } from './stop-child.js';

/**
 * A private Alertmanager (Debian's `prometheus-alertmanager`) on a loopback port, with the
 * alertmanager.yml the test writes, its own storage in a temp folder and no cluster
 * (`--cluster.listen-address=`); `close` stops it and removes the folder. A credential the
 * config needs can be written beside it as `secret` (for `credentials_file`).
 */
export class PrivateAlertmanager {
  readonly url: string;
  readonly output: string[] = [];

  private constructor(
    port: number,
    readonly dir: string,
    private readonly child: ChildProcess,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean)));
  }

  /** Start it with `config` (alertmanager.yml text; `{{dir}}` is replaced by its folder, where `secret` holds `secret` when given). */
  static async start(port: number, config: string, secret?: string): Promise<PrivateAlertmanager> {
    const dir = mkdtempSync(join(tmpdir(), 'homeostat-alertmanager-'));
    if (secret !== undefined) writeFileSync(join(dir, 'secret'), secret, { mode: 0o600 });
    writeFileSync(join(dir, 'alertmanager.yml'), config.replaceAll('{{dir}}', dir));
    const child = spawn(
      'prometheus-alertmanager',
      [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const alertmanager = new PrivateAlertmanager(port, dir, child);
    const deadline = Date.now() + 30_000;
    while (!((await fetch(`${alertmanager.url}/-/ready`).catch(() => undefined))?.ok === true)) {
      if (child.exitCode !== null) throw new Error(`alertmanager exited (${child.exitCode}):\n${alertmanager.output.slice(-20).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`alertmanager not ready in 30 s:\n${alertmanager.output.slice(-20).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return alertmanager;
  }

  async close(): Promise<void> {
    await stopChild(this.child);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
