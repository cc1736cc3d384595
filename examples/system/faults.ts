/**
 * Faults on command, shared by the example services: `POST|GET /fault/<name>` where name
 * is `crash`, `hang`, `leak`, `slow`, `errors` or `heal`. Used by tests, the benchmark
 * and demos to make a service misbehave the way real ones do.
 *
 * - `crash?code=1` — log a fatal line to stderr and exit with `code`.
 * - `hang` — busy loop forever (the process stays alive, answers nothing). A SIGSTOP from
 *   outside is the other kind of hang.
 * - `leak?mb=16&every=100` — keep `mb` MiB more memory every `every` ms.
 * - `slow?ms=2000` — delay work responses by `ms`.
 * - `errors?rate=1` — answer work requests with 500 at this rate (0–1).
 * - `heal` — stop leaking, slowing and erroring (memory already kept stays).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface FaultState {
  slowMs: number;
  errorRate: number;
  leakedBytes: number;
}

export class Faults {
  readonly state: FaultState = { slowMs: 0, errorRate: 0, leakedBytes: 0 };
  private readonly leaked: Buffer[] = [];
  private leakTimer: NodeJS.Timeout | undefined;

  constructor(private readonly name: string) {}

  /** Handle `/fault/*`; false when the request is not a fault command. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/fault\/([a-z]+)$/.exec(url.pathname);
    if (!match) return false;
    const number = (key: string, fallback: number) => {
      const value = Number(url.searchParams.get(key));
      return url.searchParams.has(key) && Number.isFinite(value) ? value : fallback;
    };
    const reply = (body: object) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ service: this.name, pid: process.pid, ...body }));
    };
    switch (match[1]) {
      case 'crash': {
        const code = number('code', 1);
        reply({ fault: 'crash', code });
        console.error(`${this.name}: fatal: crash requested (exit ${code})`);
        setTimeout(() => process.exit(code), 5);
        return true;
      }
      case 'hang':
        reply({ fault: 'hang' });
        console.error(`${this.name}: entering a busy loop (hang requested)`);
        setTimeout(() => {
          for (;;) {
            // a hang: the event loop never turns again
          }
        }, 5);
        return true;
      case 'leak':
        this.leak(number('mb', 16), number('every', 100));
        reply({ fault: 'leak' });
        return true;
      case 'slow':
        this.state.slowMs = number('ms', 2_000);
        reply({ fault: 'slow', ms: this.state.slowMs });
        return true;
      case 'errors':
        this.state.errorRate = Math.min(1, Math.max(0, number('rate', 1)));
        reply({ fault: 'errors', rate: this.state.errorRate });
        return true;
      case 'heal':
        this.state.slowMs = 0;
        this.state.errorRate = 0;
        if (this.leakTimer) clearInterval(this.leakTimer);
        this.leakTimer = undefined;
        reply({ fault: 'heal' });
        return true;
      default:
        res.writeHead(404).end(`unknown fault ${match[1]}`);
        return true;
    }
  }

  /** Apply `slow` and `errors` to a unit of work: resolves false when it should fail. */
  async beforeWork(): Promise<boolean> {
    if (this.state.slowMs > 0) await new Promise((resolve) => setTimeout(resolve, this.state.slowMs));
    return Math.random() >= this.state.errorRate;
  }

  private leak(mb: number, everyMs: number): void {
    if (this.leakTimer) clearInterval(this.leakTimer);
    console.error(`${this.name}: leaking ${mb} MiB every ${everyMs} ms`);
    this.leakTimer = setInterval(() => {
      // fill() touches every page, so the memory is resident (RSS), not just reserved
      const chunk = Buffer.alloc(mb * 1_048_576, 1);
      this.leaked.push(chunk);
      this.state.leakedBytes += chunk.length;
    }, everyMs);
  }
}

/** Prometheus text format for a few counters and gauges. */
export function prometheus(prefix: string, metrics: Record<string, { type: 'counter' | 'gauge'; help: string; value: number }>): string {
  return Object.entries(metrics)
    .map(([name, metric]) => `# HELP ${prefix}_${name} ${metric.help}\n# TYPE ${prefix}_${name} ${metric.type}\n${prefix}_${name} ${metric.value}\n`)
    .join('');
}

/** `--port N` from argv, else `$PORT`, else `fallback`. */
export function portFromArgs(fallback: number): number {
  const index = process.argv.indexOf('--port');
  const value = index >= 0 ? process.argv[index + 1] : process.env.PORT;
  const port = Number(value);
  return Number.isInteger(port) && port > 0 ? port : fallback;
}

/** Exit cleanly on SIGTERM/SIGINT after closing `server`. */
export function exitOnSignals(name: string, close: () => Promise<void>): void {
  const stop = (signal: string) => {
    console.log(`${name}: ${signal}, shutting down`);
    void close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2_000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
