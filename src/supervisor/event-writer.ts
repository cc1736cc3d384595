import type { ElementStore } from '../store/store.js';
import type { NewElementEventRecord } from '../store/records.js';
import type { ElementEvent } from './element-events.js';

/** The stored form of an event: the common fields as columns, the rest as JSON. */
export function toEventRecord(event: ElementEvent): NewElementEventRecord {
  const { at, element, kind, ...data } = event;
  return { at, element, kind, data: JSON.stringify(data) };
}

/**
 * Writes events to the store in batches: one transaction per `flushEveryMs` (or per
 * `maxBatch` events), since the supervisor can emit many per second and one SQLite
 * commit each would cost more than the events themselves. A failed write keeps the
 * events (up to `maxPending`, oldest dropped first) and tries again on the next flush.
 *
 * @example const writer = new EventWriter(store); writer.push(event); await writer.flush();
 * @example // store down: onError(error) is called and the events wait for the next flush
 */
export class EventWriter {
  private pending: NewElementEventRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  dropped = 0;

  constructor(
    private readonly store: ElementStore,
    private readonly options: { flushEveryMs?: number; maxBatch?: number; maxPending?: number; onError?: (error: unknown) => void } = {},
  ) {}

  push(event: ElementEvent): void {
    this.pending.push(toEventRecord(event));
    const maxPending = this.options.maxPending ?? 10_000;
    if (this.pending.length > maxPending) this.dropped += this.pending.splice(0, this.pending.length - maxPending).length;
    if (this.pending.length >= (this.options.maxBatch ?? 500)) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushEveryMs ?? 100);
  }

  /** Write everything pending now. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.store.appendEvents(batch).then(
      () => undefined,
      (error: unknown) => {
        this.pending = [...batch, ...this.pending];
        this.options.onError?.(error);
        this.timer ??= setTimeout(() => void this.flush(), 1_000);
      },
    );
    try {
      await this.flushing;
    } finally {
      this.flushing = undefined;
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
