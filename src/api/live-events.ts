import type { IncidentRecord } from '../store/records.js';
import type { KnowledgeStore } from '../store/store.js';

/** What the SSE stream sends: element events, incident changes, finished runs. */
export type LiveEvent =
  | { type: 'element'; event: { kind: string; element: string; at: number } & Record<string, unknown> }
  | { type: 'incident'; incident: IncidentRecord }
  | { type: 'run-finished'; runId: string; workflow: string; status: string };

export type LiveListener = (event: LiveEvent) => void;

/** Where a stream subscriber's frames go: an HTTP response (what Node's `Writable` offers). */
export interface LiveOutput {
  write(chunk: string): boolean;
  readonly writableLength: number;
  on(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

/** Bytes a stream client may have unread before its events are dropped (default of {@link LiveEventHub}). */
export const LIVE_MAX_BUFFERED_BYTES = 1_048_576;

/**
 * Fans live events out to SSE subscribers. Element and run events are published by
 * whoever sees them (the supervisor and engine of `homeostat up`); incident changes are
 * polled from the store while anyone listens, so those made by other processes (the
 * leader elsewhere, the CLI) show up too.
 *
 * A stream client that reads slower than events come (a stalled tab, a slow link) would
 * make its response buffer grow without bound in this process: past `maxBufferedBytes`
 * unread, its events are dropped and counted (`dropped`, `homeostat_dropped_total{buffer="live-events"}`),
 * and once it has read what was buffered it gets one `dropped` event with the count, to
 * reload what it shows.
 *
 * @example
 * const off = hub.subscribe((e) => console.log(e.type)); hub.publish({ type: 'run-finished', runId, workflow, status: 'completed' }); off();
 * @example
 * hub.subscribe(() => { throw new Error('x'); }) // a throwing listener is dropped, the others still get events
 */
export class LiveEventHub {
  private readonly listeners = new Set<LiveListener>();
  private timer: NodeJS.Timeout | undefined;
  private seen = new Map<string, number>();
  private polling = false;
  /** Events not sent to a stream client because it had `maxBufferedBytes` unread. */
  dropped = 0;

  constructor(
    private readonly store?: KnowledgeStore,
    private readonly pollMs = 1_000,
    private readonly maxBufferedBytes = LIVE_MAX_BUFFERED_BYTES,
  ) {}

  get subscribers(): number {
    return this.listeners.size;
  }

  publish(event: LiveEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    if (this.store && !this.timer) {
      void this.pollIncidents(true);
      this.timer = setInterval(() => void this.pollIncidents(false), this.pollMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopPolling();
    };
  }

  /**
   * Subscribe a stream: each event is written as `frame(event)` unless the client has
   * `maxBufferedBytes` or more unread, in which case it is dropped and counted; the client
   * is told how many it missed (`droppedFrame(count)`) once it has read the backlog.
   */
  subscribeOutput(output: LiveOutput, frame: (event: LiveEvent) => string, droppedFrame: (count: number) => string): () => void {
    let missed = 0;
    const tellMissed = () => {
      if (missed === 0) return;
      output.write(droppedFrame(missed));
      missed = 0;
    };
    output.on('drain', tellMissed);
    const off = this.subscribe((event) => {
      if (output.writableLength >= this.maxBufferedBytes) {
        missed++;
        this.dropped++;
        return;
      }
      tellMissed();
      output.write(frame(event));
    });
    return () => {
      off();
      output.off('drain', tellMissed);
    };
  }

  close(): void {
    this.listeners.clear();
    this.stopPolling();
  }

  private stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Publish incidents whose `updatedAt` moved since the last poll (the first poll only remembers). */
  private async pollIncidents(first: boolean): Promise<void> {
    if (!this.store || this.polling) return;
    this.polling = true;
    try {
      const open = await this.store.listIncidents({ unresolved: true, limit: 500 });
      const now = new Map(open.map((i) => [i.id, i.updatedAt]));
      const changed: IncidentRecord[] = first ? [] : open.filter((i) => this.seen.get(i.id) !== i.updatedAt);
      if (!first) {
        for (const id of this.seen.keys()) {
          if (now.has(id)) continue;
          const gone = await this.store.getIncident(id);
          if (gone) changed.push(gone);
        }
      }
      this.seen = now;
      for (const incident of changed) this.publish({ type: 'incident', incident });
    } catch {
      // the store is unavailable: the next poll tries again
    } finally {
      this.polling = false;
    }
  }
}
