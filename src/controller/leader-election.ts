import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../resilience/clock.js';
import type { LeaderFence } from '../store/records.js';
import type { Store } from '../store/store.js';
import { NotLeaderError } from '../store/store-errors.js';

/** The slice of the Store a leader elector needs (a plain object can stand in). */
export type LeadershipStore = Pick<Store, 'acquireLeadership' | 'renewLeadership' | 'resignLeadership' | 'recordLeaderAction'>;

export interface LeaderElectorOptions {
  /** The lease contested (default `controller`): one leader per name. */
  name?: string;
  /** This candidate's id (default: host, pid and a random suffix). */
  holderId?: string;
  /**
   * How long a term lasts without renewal (default 1 s). A standby takes over at most
   * this long after the leader dies (plus one campaign interval); a leader that cannot
   * renew within it steps down on its own.
   */
  ttlMs?: number;
  /** How often the leader renews (default ttl/3). */
  renewIntervalMs?: number;
  /** How often a standby campaigns (default ttl/5). */
  campaignIntervalMs?: number;
  /**
   * Where this candidate's API listens, recorded with the lease when it takes it: a
   * follower's API sends what only the leader handles there (pushed metrics).
   */
  apiUrl?: string;
  clock?: Clock;
  /** Called when this candidate becomes leader, with its term (name and fencing token). */
  onElected?: (term: LeaderFence) => void;
  /** Called when the term ends: lost, lapsed, or resigned on stop. */
  onDeposed?: (term: LeaderFence, reason: 'lost' | 'expired' | 'stopped') => void;
  /** Store failures while campaigning or renewing (they are retried). */
  onError?: (error: unknown) => void;
}

/**
 * Elects one leader among any number of processes sharing a store (several
 * `homeostat up` on PostgreSQL): a lease row with a fencing token that grows with every
 * change of holder. The leader renews every ttl/3 and considers itself deposed as soon
 * as a renewal fails or its term could have lapsed by its own clock; standbys campaign
 * every ttl/5. Actions go through {@link LeaderElector.recordAction} (or carry
 * {@link LeaderElector.term} into a store write) so a deposed leader cannot act even
 * if it has not noticed yet.
 *
 * @example
 * const elector = new LeaderElector(store, { onElected: (term) => loop.start(term), onDeposed: () => loop.stop() });
 * elector.start();
 * @example
 * await elector.recordAction('restart', '{"service":"api"}'); // throws HS_NOT_LEADER when not (or no longer) the leader
 */
export class LeaderElector {
  readonly name: string;
  readonly holderId: string;
  private readonly store: LeadershipStore;
  private readonly ttlMs: number;
  private readonly renewIntervalMs: number;
  private readonly campaignIntervalMs: number;
  private readonly clock: Clock;
  private readonly options: LeaderElectorOptions;
  private current: { term: LeaderFence; validUntil: number } | undefined;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(store: LeadershipStore, options: LeaderElectorOptions = {}) {
    this.store = store;
    this.options = options;
    this.name = options.name ?? 'controller';
    this.holderId = options.holderId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.ttlMs = options.ttlMs ?? 1_000;
    this.renewIntervalMs = options.renewIntervalMs ?? Math.max(1, Math.floor(this.ttlMs / 3));
    this.campaignIntervalMs = options.campaignIntervalMs ?? Math.max(1, Math.floor(this.ttlMs / 5));
    this.clock = options.clock ?? systemClock;
    if (this.renewIntervalMs >= this.ttlMs) throw new RangeError('renewIntervalMs must be shorter than ttlMs');
  }

  /** True while this candidate holds an unexpired term (by its own clock). */
  get isLeader(): boolean {
    return this.current !== undefined && this.clock.now() < this.current.validUntil;
  }

  /** The current term's fence, to carry into fenced store writes. */
  get term(): LeaderFence | undefined {
    return this.isLeader ? this.current!.term : undefined;
  }

  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  /** Stop campaigning; a leader resigns so a standby takes over at once. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
    const held = this.current;
    if (held) {
      this.current = undefined;
      await this.store.resignLeadership(this.name, this.holderId, held.term.token, this.clock.now()).catch((error) => this.options.onError?.(error));
      this.options.onDeposed?.(held.term, 'stopped');
    }
  }

  /**
   * Record an action under the current term, atomically checked against the store's
   * lease: refused with `HS_NOT_LEADER` if this candidate is not the leader or a newer
   * term has begun.
   */
  async recordAction(action: string, payload: string | null = null): Promise<LeaderFence> {
    const term = this.term;
    if (!term) throw new NotLeaderError(this.name, this.current?.term.token ?? 0);
    await this.store.recordLeaderAction(term, action, payload, this.clock.now());
    return term;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const startedAt = this.clock.now();
      try {
        // A store call that hangs must neither keep stop() waiting nor keep a leader
        // believing in a term that has lapsed: wait for it at most until the term ends.
        const held = this.current;
        const call = held ? this.renew(startedAt) : this.campaign(startedAt);
        const lapse = new AbortController();
        const lapsed = held ? this.clock.sleep(Math.max(0, held.validUntil - this.clock.now()), lapse.signal).catch(() => undefined) : new Promise<void>(() => undefined);
        try {
          await untilAborted(Promise.race([call, lapsed]), signal);
        } finally {
          lapse.abort();
        }
      } catch (error) {
        if (signal.aborted) return;
        this.options.onError?.(error);
      }
      if (this.current && this.clock.now() >= this.current.validUntil) this.depose('expired');
      const wait = this.current ? this.renewIntervalMs : this.campaignIntervalMs;
      try {
        await this.clock.sleep(Math.max(0, startedAt + wait - this.clock.now()), signal);
      } catch {
        return;
      }
    }
  }

  private async campaign(startedAt: number): Promise<void> {
    const result = await this.store.acquireLeadership(this.name, this.holderId, this.ttlMs, startedAt, this.options.apiUrl ?? null);
    // An answer that arrives after the term it grants has lapsed (or after a later
    // campaign already won) is stale: the next campaign asks again.
    if (!result.leader || this.current || this.clock.now() >= startedAt + this.ttlMs) return;
    // Valid from when we asked, not from when the answer came: a slow answer shortens the term.
    this.current = { term: { name: this.name, token: result.token }, validUntil: startedAt + this.ttlMs };
    this.options.onElected?.(this.current.term);
  }

  private async renew(startedAt: number): Promise<void> {
    const held = this.current!;
    let renewed: boolean;
    try {
      renewed = await this.store.renewLeadership(this.name, this.holderId, held.term.token, this.ttlMs, startedAt);
    } catch (error) {
      // Unknown outcome: keep the term until it lapses by our clock, then step down.
      this.options.onError?.(error);
      return;
    }
    if (this.current !== held) return;
    if (renewed) held.validUntil = startedAt + this.ttlMs;
    else this.depose('lost');
  }

  private depose(reason: 'lost' | 'expired'): void {
    const held = this.current;
    if (!held) return;
    this.current = undefined;
    this.options.onDeposed?.(held.term, reason);
  }
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
