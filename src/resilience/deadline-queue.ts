import { startTimer, type Clock, type Timer } from './clock.js';

/** One call waiting for its deadline; `settle()` it when it finishes first. */
export interface DeadlineEntry {
  readonly deadline: number;
  settled: boolean;
  expire(): void;
}

/**
 * Deadlines of one fixed length, kept in arrival order with one shared timer
 * instead of a timer per call (a `setTimeout` per call is measurably the most
 * expensive part of a timed call). Because every deadline is `now + ms` for the
 * same `ms`, arrival order is deadline order and a FIFO suffices.
 */
export class DeadlineQueue {
  private entries: DeadlineEntry[] = [];
  private head = 0;
  private live = 0;
  private timer: Timer | undefined;
  private referenced = false;

  constructor(
    private readonly clock: Clock,
    private readonly ms: number,
  ) {}

  /** Registers a call; `expire` runs if it is still unsettled at `now + ms`. */
  add(expire: () => void): DeadlineEntry {
    const entry: DeadlineEntry = { deadline: this.clock.now() + this.ms, settled: false, expire };
    this.entries.push(entry);
    this.live++;
    if (this.timer === undefined) this.arm(this.ms);
    else if (!this.referenced) {
      this.timer.ref();
      this.referenced = true;
    }
    return entry;
  }

  /** Marks `entry` finished; its deadline will be skipped. */
  settle(entry: DeadlineEntry): void {
    if (entry.settled) return;
    entry.settled = true;
    this.live--;
    if (this.live === 0) {
      // Drop the backlog and let the process exit; the timer is reused by the next call.
      this.entries.length = 0;
      this.head = 0;
      this.timer?.unref();
      this.referenced = false;
    } else if (this.entries[this.head] === entry) {
      // Calls mostly finish in order: trim the settled front so the backlog stays short.
      const entries = this.entries;
      while (this.head < entries.length && entries[this.head]!.settled) this.head++;
      if (this.head > 1024 && this.head * 2 > entries.length) {
        this.entries = entries.slice(this.head);
        this.head = 0;
      }
    }
  }

  private arm(ms: number): void {
    this.timer = startTimer(this.clock, ms, this.fire);
    this.referenced = true;
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    const entries = this.entries;
    while (this.head < entries.length) {
      const entry = entries[this.head]!;
      if (!entry.settled && entry.deadline > now) break;
      this.head++;
      if (!entry.settled) {
        this.settle(entry);
        entry.expire();
      }
    }
    if (this.head > 1024 && this.head * 2 > entries.length) {
      this.entries = entries.slice(this.head);
      this.head = 0;
    }
    const next = this.entries[this.head];
    if (next !== undefined && this.timer === undefined) this.arm(next.deadline - now);
  };
}
