import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Clock } from '../../resilience/clock.js';
import type { Probe } from './probe.js';

/**
 * When each instance last said it was alive. Spawning an instance counts as its first
 * beat, so a new process has one `timeout` to send its own.
 */
export class HeartbeatRegistry {
  private readonly lastBeat = new Map<string, number>();

  /** Start (or restart) tracking `instance` as of `now`. */
  expect(instance: string, now: number): void {
    this.lastBeat.set(instance, now);
  }

  forget(instance: string): void {
    this.lastBeat.delete(instance);
  }

  /** Record a beat; false when the instance is unknown (not supervised, or stopped). */
  beat(instance: string, now: number): boolean {
    if (!this.lastBeat.has(instance)) return false;
    this.lastBeat.set(instance, now);
    return true;
  }

  lastBeatAt(instance: string): number | undefined {
    return this.lastBeat.get(instance);
  }
}

/**
 * Passes while `instance`'s last beat is at most `maxAgeMs` old. The process pushes
 * beats (see {@link HeartbeatServer}), so a hung process fails it without any request
 * to it timing out.
 *
 * @example heartbeatProbe(registry, 'worker#0', 1_000, systemClock)
 * @example // no beat for 1.2 s: { ok: false, message: 'no heartbeat for 1200 ms (limit 1000 ms)' }
 */
export function heartbeatProbe(registry: HeartbeatRegistry, instance: string, maxAgeMs: number, clock: Clock): Probe {
  return {
    check: async () => {
      const last = registry.lastBeatAt(instance);
      if (last === undefined) return { ok: false, message: 'not tracked' };
      const age = clock.now() - last;
      return age <= maxAgeMs ? { ok: true, message: `last beat ${age} ms ago` } : { ok: false, message: `no heartbeat for ${age} ms (limit ${maxAgeMs} ms)` };
    },
  };
}

/**
 * Where processes push beats: `POST /beat/<instance>` over HTTP on 127.0.0.1 and over a
 * Unix socket. Each supervised process gets `HOMEOSTAT_HEARTBEAT_URL` (the full URL for
 * its instance) and `HOMEOSTAT_HEARTBEAT_SOCKET` + `HOMEOSTAT_INSTANCE`.
 *
 * @example
 * // in the supervised process:
 * setInterval(() => fetch(process.env.HOMEOSTAT_HEARTBEAT_URL!, { method: 'POST' }), 250);
 * @example
 * // unknown instance: 404, and the beat is not counted
 */
export class HeartbeatServer {
  private readonly servers: Server[] = [];
  port = 0;
  socketPath: string | undefined;

  constructor(
    private readonly registry: HeartbeatRegistry,
    private readonly clock: Clock,
  ) {}

  async listen(options: { port: number; socketPath?: string }): Promise<void> {
    const tcp = createServer(this.handle);
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(options.port, '127.0.0.1', () => resolve());
    });
    this.servers.push(tcp);
    this.port = (tcp.address() as { port: number }).port;
    if (options.socketPath) {
      // Unix socket paths are limited to ~107 bytes; fall back to the temp folder.
      const path = options.socketPath.length < 100 ? options.socketPath : join(tmpdir(), `homeostat-${process.pid}-hb.sock`);
      mkdirSync(dirname(path), { recursive: true });
      if (existsSync(path)) unlinkSync(path);
      const unix = createServer(this.handle);
      await new Promise<void>((resolve, reject) => {
        unix.once('error', reject);
        unix.listen(path, () => resolve());
      });
      this.servers.push(unix);
      this.socketPath = path;
    }
  }

  /** The beat URL for one instance. */
  urlFor(instance: string): string {
    return `http://127.0.0.1:${this.port}/beat/${encodeURIComponent(instance)}`;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
    if (this.socketPath && existsSync(this.socketPath)) unlinkSync(this.socketPath);
  }

  private readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const match = /^\/beat\/([^/?]+)/.exec(req.url ?? '');
    req.resume();
    if (!match || (req.method !== 'POST' && req.method !== 'PUT' && req.method !== 'GET')) {
      res.writeHead(404).end();
      return;
    }
    const known = this.registry.beat(decodeURIComponent(match[1]!), this.clock.now());
    res.writeHead(known ? 204 : 404).end();
  };
}
