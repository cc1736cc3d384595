/**
 * Faults on command for the shop services, one at a time: `POST /fault/<kind>` where kind is
 * `cpu`, `leak`, `latency`, `errors`, `crash` or `heal`. The RCA benchmark (bench/rca)
 * injects them into one service and checks which service the root-cause ranking blames.
 *
 * - `cpu?busy=60&every=100&for=60` — one busy loop on the event loop: `busy` ms of every
 *   `every` ms, for at most `for` s (bounded: the machine is shared).
 * - `leak?mb=4&every=250&max=256` — keep `mb` MiB more every `every` ms, up to `max` MiB.
 * - `latency?ms=150` — answer every work request `ms` later.
 * - `errors?rate=1` — answer that share of work requests with 500, without doing the work.
 * - `crash?for=15` — exit 1 now, and exit 1 at every start for the next `for` s (a crash
 *   loop: the service stays down, as a crash on a persistent condition does). The marker is
 *   a file, so `heal` cannot reach a dead process: delete the file (see {@link crashMarker}).
 * - `heal` — stop everything above and release the leaked memory.
 *
 * The sixth fault kind, a bad config, is not a command: it is `MAX_INFLIGHT=0` in the
 * service's env, applied as a new config version (see service.ts).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The file whose deadline (ms since the epoch) keeps `service` crashing at start. */
export function crashMarker(service: string): string {
  return join(process.env.SHOP_STATE_DIR ?? join(tmpdir(), 'homeostat-shop'), `${service}.crash-until`);
}

/** Exit at once when a crash fault is still in force for `service` (called before listening). */
export function crashIfMarked(service: string): void {
  const marker = crashMarker(service);
  if (!existsSync(marker)) return;
  const until = Number(readFileSync(marker, 'utf8'));
  if (Date.now() < until) {
    console.error(`${service}: fatal: crash fault in force for ${((until - Date.now()) / 1_000).toFixed(1)} s more`);
    process.exit(1);
  }
  rmSync(marker, { force: true });
}

export class ShopFaults {
  latencyMs = 0;
  errorRate = 0;
  private readonly leaked: Buffer[] = [];
  private leakTimer: NodeJS.Timeout | undefined;
  private cpuTimer: NodeJS.Timeout | undefined;

  constructor(private readonly service: string) {}

  /** Handle `/fault/*`; false when the request is not a fault command. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/fault\/([a-z]+)$/.exec(url.pathname);
    if (!match) return false;
    const number = (key: string, fallback: number) => {
      const value = Number(url.searchParams.get(key));
      return url.searchParams.has(key) && Number.isFinite(value) && value >= 0 ? value : fallback;
    };
    const reply = (body: object) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ service: this.service, pid: process.pid, ...body }));
    switch (match[1]) {
      case 'cpu':
        this.hogCpu(Math.min(number('busy', 60), 95), Math.max(number('every', 100), 10), number('for', 60));
        reply({ fault: 'cpu' });
        return true;
      case 'leak':
        this.leak(number('mb', 4), Math.max(number('every', 250), 10), number('max', 256));
        reply({ fault: 'leak' });
        return true;
      case 'latency':
        this.latencyMs = number('ms', 150);
        reply({ fault: 'latency', ms: this.latencyMs });
        return true;
      case 'errors':
        this.errorRate = Math.min(1, number('rate', 1));
        reply({ fault: 'errors', rate: this.errorRate });
        return true;
      case 'crash': {
        const seconds = number('for', 0);
        if (seconds > 0) {
          const marker = crashMarker(this.service);
          mkdirSync(join(marker, '..'), { recursive: true });
          writeFileSync(marker, String(Date.now() + seconds * 1_000));
        }
        reply({ fault: 'crash', for: seconds });
        console.error(`${this.service}: fatal: crash requested`);
        setTimeout(() => process.exit(1), 5);
        return true;
      }
      case 'heal':
        this.heal();
        reply({ fault: 'heal' });
        return true;
      default:
        res.writeHead(404).end(`unknown fault ${match[1]}`);
        return true;
    }
  }

  /** True when this work request should fail (the `errors` fault). */
  shouldFail(): boolean {
    return this.errorRate > 0 && Math.random() < this.errorRate;
  }

  heal(): void {
    this.latencyMs = 0;
    this.errorRate = 0;
    if (this.cpuTimer) clearInterval(this.cpuTimer);
    this.cpuTimer = undefined;
    if (this.leakTimer) clearInterval(this.leakTimer);
    this.leakTimer = undefined;
    this.leaked.length = 0;
    // Large buffers live outside the JS heap and go back to the OS when collected: collect now
    // (the services run with --expose-gc) so RSS returns to normal before the next measurement.
    (globalThis as { gc?: () => void }).gc?.();
  }

  private hogCpu(busyMs: number, everyMs: number, seconds: number): void {
    if (this.cpuTimer) clearInterval(this.cpuTimer);
    const stopAt = Date.now() + seconds * 1_000;
    console.error(`${this.service}: cpu hog, busy ${busyMs} ms of every ${everyMs} ms for ${seconds} s`);
    this.cpuTimer = setInterval(() => {
      const until = performance.now() + busyMs;
      while (performance.now() < until) {
        // busy: the event loop is held, as a hot loop in request handling would
      }
      if (Date.now() >= stopAt && this.cpuTimer) {
        clearInterval(this.cpuTimer);
        this.cpuTimer = undefined;
      }
    }, everyMs);
  }

  private leak(mb: number, everyMs: number, maxMb: number): void {
    if (this.leakTimer) clearInterval(this.leakTimer);
    console.error(`${this.service}: leaking ${mb} MiB every ${everyMs} ms (up to ${maxMb} MiB)`);
    this.leakTimer = setInterval(() => {
      if (this.leaked.length * mb >= maxMb) return;
      // fill() touches every page, so the memory is resident (RSS), not just reserved
      this.leaked.push(Buffer.alloc(mb * 1_048_576, 1));
    }, everyMs);
  }
}
