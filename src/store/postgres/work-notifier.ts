import pg from 'pg';
import { clientConfig, type PostgresTarget } from './connection.js';

/** The NOTIFY channel of one schema: workers of other schemas are not woken. */
export function workChannel(schema: string): string {
  return `homeostat_work:${schema}`;
}

/**
 * A dedicated LISTEN connection that calls `onWork` for every notification on the
 * schema's channel. When the connection dies (server restart, `pg_terminate_backend`)
 * it reconnects with back-off and calls `onWork` once, since notifications sent while
 * it was away are lost.
 */
export class WorkNotifier {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = 100;

  constructor(
    private readonly target: PostgresTarget,
    private readonly onWork: () => void,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client(clientConfig(this.target));
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', () => this.onWork());
    try {
      await client.connect();
      await client.query(`LISTEN "${workChannel(this.target.schema)}"`);
    } catch {
      onLost();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryDelayMs = 100;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect().then(() => {
        if (this.client) this.onWork();
      });
    }, this.retryDelayMs);
    this.retryTimer.unref();
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 2_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
