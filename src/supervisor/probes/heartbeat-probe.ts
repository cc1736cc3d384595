import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Clock } from '../../resilience/clock.js';
import type { Probe } from './probe.js';

const SECRET_BYTES = 24;
/** How long a heartbeat secret is (base64url of 24 bytes): the spawn check sizes the environment with it. */
export const HEARTBEAT_SECRET_LENGTH = Math.ceil((SECRET_BYTES * 4) / 3);

/** A new heartbeat secret: 192 random bits, URL-safe. */
export function newHeartbeatSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** What became of a beat: counted, for an instance nobody expects, without a secret, or with a wrong one. */
export type BeatOutcome = 'counted' | 'unknown' | 'missing-secret' | 'wrong-secret';

/**
 * When each instance last said it was alive, and the secret its beats must carry.
 * Spawning an instance counts as its first beat, so a new process has one `timeout` to
 * send its own. The secret is new at each spawn and given only to that process (in its
 * environment): anyone else who can reach the endpoint, or the process of a previous
 * spawn, cannot keep a hung instance looking alive.
 */
export class HeartbeatRegistry {
  private readonly tracked = new Map<string, { lastBeat: number; secret: Buffer }>();

  /** Start (or restart) tracking `instance` as of `now`; returns the secret its beats must carry. */
  expect(instance: string, now: number, secret: string = newHeartbeatSecret()): string {
    this.tracked.set(instance, { lastBeat: now, secret: Buffer.from(secret) });
    return secret;
  }

  forget(instance: string): void {
    this.tracked.delete(instance);
  }

  /** Record a beat if `secret` is the instance's current one. */
  beat(instance: string, secret: string | undefined, now: number): BeatOutcome {
    const entry = this.tracked.get(instance);
    if (!entry) return 'unknown';
    if (!secret) return 'missing-secret';
    const presented = Buffer.from(secret);
    if (presented.length !== entry.secret.length || !timingSafeEqual(presented, entry.secret)) return 'wrong-secret';
    entry.lastBeat = now;
    return 'counted';
  }

  lastBeatAt(instance: string): number | undefined {
    return this.tracked.get(instance)?.lastBeat;
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
 * Where processes push beats: `POST /beat/<instance>/<secret>` over HTTP on 127.0.0.1 and
 * over a Unix socket (`POST /beat/<instance>` with `Authorization: Bearer <secret>` works
 * too). Each supervised process gets `HOMEOSTAT_HEARTBEAT_URL` (the full URL for its
 * instance, secret included), `HOMEOSTAT_HEARTBEAT_PATH` (the same path, for the socket)
 * and `HOMEOSTAT_HEARTBEAT_SOCKET`. Only POST (or PUT) counts: a GET is 405, so a link,
 * a prefetch or a scanner cannot beat.
 *
 * @example
 * // in the supervised process:
 * setInterval(() => fetch(process.env.HOMEOSTAT_HEARTBEAT_URL!, { method: 'POST' }), 250);
 * @example
 * // unknown instance: 404; no secret: 401; a wrong secret: 403; none of them counted
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

  /** The beat path for one instance and its secret. */
  static pathFor(instance: string, secret: string): string {
    return `/beat/${encodeURIComponent(instance)}/${secret}`;
  }

  /** The beat URL for one instance and its secret. */
  urlFor(instance: string, secret: string): string {
    return `http://127.0.0.1:${this.port}${HeartbeatServer.pathFor(instance, secret)}`;
  }

  /** The environment that lets one spawned process (and only it) beat for `instance`. */
  envFor(instance: string, secret: string): Record<string, string> {
    return {
      HOMEOSTAT_HEARTBEAT_URL: this.urlFor(instance, secret),
      HOMEOSTAT_HEARTBEAT_PATH: HeartbeatServer.pathFor(instance, secret),
      ...(this.socketPath ? { HOMEOSTAT_HEARTBEAT_SOCKET: this.socketPath } : {}),
    };
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
    const match = /^\/beat\/([^/?]+)(?:\/([^/?]+))?\/?(?:\?.*)?$/.exec(req.url ?? '');
    req.resume();
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    if (req.method !== 'POST' && req.method !== 'PUT') {
      res.writeHead(405, { allow: 'POST, PUT' }).end();
      return;
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    let instance: string;
    try {
      instance = decodeURIComponent(match[1]!);
    } catch {
      res.writeHead(404).end();
      return;
    }
    const outcome = this.registry.beat(instance, match[2] ?? bearer, this.clock.now());
    const status = { counted: 204, unknown: 404, 'missing-secret': 401, 'wrong-secret': 403 }[outcome];
    res.writeHead(status).end();
  };
}
