import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../../../src/supervisor/service-supervisor.js';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const BIN = process.env.HOMEOSTAT_PG_BIN ?? '/usr/lib/postgresql/15/bin';


/**
 * A PostgreSQL cluster of the test's own (initdb into a temporary folder, another port),
 * so outages can be tested without touching the shared server. PostgreSQL refuses to run
 * as root: as root, its commands run as the `postgres` user, which owns the folder.
 */
export class PrivatePostgres {
  readonly dir: string;
  readonly port: number;
  private readonly data: string;

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
    this.data = join(dir, 'data');
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'homeostat-pg-'));
    const cluster = new PrivatePostgres(dir, await freePort());
    try {
      if (userInfo().uid === 0) {
        const { uid, gid } = lookupPostgresUser();
        chownSync(dir, uid, gid);
      }
      cluster.run('initdb', ['-D', cluster.data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
      cluster.ctl(['start']);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  private run(tool: string, args: string[]): string {
    const command = join(BIN, tool);
    if (userInfo().uid === 0) return execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8', stdio: 'pipe' });
    return execFileSync(command, args, { encoding: 'utf8', stdio: 'pipe' });
  }

  private ctl(args: string[]): void {
    this.run('pg_ctl', ['-D', this.data, '-l', join(this.dir, 'server.log'), '-w', '-t', '30', '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`, ...args]);
  }

  /** A clean restart (`-m fast`): every connection is cut, committed work is kept. */
  restart(): void {
    this.ctl(['-m', 'fast', 'restart']);
  }

  /** A crash (`-m immediate`, no shutdown checkpoint) followed by recovery on start. */
  crashAndStart(): void {
    this.ctl(['-m', 'immediate', 'stop']);
    this.ctl(['start']);
  }

  /** `pg_terminate_backend` on every homeostat connection. */
  async terminateConnections(): Promise<number> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'homeostat' AND pid <> pg_backend_pid()",
      );
      return rows.length;
    } finally {
      await client.end();
    }
  }

  /** Stop the cluster (if running) and delete its folder. */
  stop(): void {
    try {
      this.ctl(['-m', 'immediate', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function lookupPostgresUser(): { uid: number; gid: number } {
  const out = spawnSync('id', ['postgres'], { encoding: 'utf8' }).stdout;
  const uid = /uid=(\d+)/.exec(out)?.[1];
  const gid = /gid=(\d+)/.exec(out)?.[1];
  if (!uid || !gid) throw new Error('running as root, but there is no "postgres" user to run a private PostgreSQL cluster as');
  return { uid: Number(uid), gid: Number(gid) };
}
