/** One point of a series. */
export interface Point {
  at: number;
  value: number;
}

/** A series' identity: metric name plus labels. */
export interface SeriesId {
  key: string;
  name: string;
  labels: Readonly<Record<string, string>>;
}

export interface TimeSeriesOptions {
  /** Points older than this are dropped (default 10 minutes). */
  retentionMs?: number;
  /** Points kept per series at most (default 600: ten minutes at one per second). */
  maxPointsPerSeries?: number;
  /** Series kept at most; samples of further new series are dropped and counted (default 10 000). */
  maxSeries?: number;
  /**
   * How far ahead of `now` an ingested timestamp may be (default 5 minutes): closer ones
   * are taken as clock skew and clamped to `now`, further ones dropped.
   */
  maxFutureMs?: number;
}

/**
 * Who sent a sample (`push:<token id>`, `scrape:<instance>`) and how many series it may
 * hold at most: one source cannot fill the store's global cap for everyone else.
 */
export interface SeriesSource {
  name: string;
  maxSeries: number;
}

/**
 * Why an ingested sample was not stored (the `reason` label of the drop counter).
 * `out_of_order` is only for homeostat's own samples ({@link TimeSeriesStore.append}):
 * outside samples out of order are stored as the next sample instead ({@link RestampReason}).
 */
export type DropReason = 'invalid_timestamp' | 'future_timestamp' | 'stale_timestamp' | 'out_of_order' | 'source_series_limit' | 'global_series_limit' | 'target_series_limit' | 'scrape_body_limit';

/**
 * Why an ingested sample was stored at another time than its own (the `reason` label of
 * the restamp counter): `reordered`, its timestamp was earlier than its series' latest point
 * (a clock stepped back, merged exports); `repeated`, it carried the latest point's
 * timestamp with another value; `clock_skew`, it was a little ahead of now and clamped.
 */
export type RestampReason = 'reordered' | 'repeated' | 'clock_skew';

class Ring {
  owner: string | undefined;
  readonly at: Float64Array;
  readonly values: Float64Array;
  start = 0;
  size = 0;
  constructor(readonly id: SeriesId, capacity: number) {
    this.at = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }
  push(at: number, value: number): void {
    const capacity = this.at.length;
    const index = (this.start + this.size) % capacity;
    this.at[index] = at;
    this.values[index] = value;
    if (this.size < capacity) this.size++;
    else this.start = (this.start + 1) % capacity;
  }
  expire(before: number): void {
    while (this.size > 0 && this.at[this.start]! < before) {
      this.start = (this.start + 1) % this.at.length;
      this.size--;
    }
  }
  get(i: number): Point {
    const index = (this.start + i) % this.at.length;
    return { at: this.at[index]!, value: this.values[index]! };
  }
}

/** The canonical key of a series: `name{a="1",b="2"}` with labels sorted. */
export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels);
  if (names.length === 0) return name;
  names.sort();
  return `${name}{${names.map((label) => `${label}=${JSON.stringify(labels[label])}`).join(',')}}`;
}

/**
 * Bounded, in-memory time series: a fixed-size ring of (time, value) per series, points
 * older than the retention dropped, and a cap on the number of series so a label
 * explosion cannot exhaust memory (dropped samples are counted in `droppedSamples`).
 * Typed arrays keep 10 000 series × 600 points at about 96 MB worst case, far less
 * in practice since rings are sized by `maxPointsPerSeries`.
 *
 * @example
 * series.append('api_errors_total', { instance: 'api#0' }, 12, Date.now());
 * series.rate(seriesKey('api_errors_total', { instance: 'api#0' }), 10_000, Date.now()) // per second
 * @example
 * new TimeSeriesStore({ maxSeries: 1 }).append('b', {}, 1, 0) // the second new series is dropped: false
 */
export class TimeSeriesStore {
  private readonly rings = new Map<string, Ring>();
  private readonly retentionMs: number;
  private readonly maxPoints: number;
  private readonly maxSeries: number;
  private readonly maxFutureMs: number;
  private readonly seriesBySource = new Map<string, number>();
  private readonly drops = new Map<string, { source: string; reason: DropReason; count: number }>();
  private readonly restamps = new Map<string, { source: string; reason: RestampReason; count: number }>();
  droppedSamples = 0;

  constructor(options: TimeSeriesOptions = {}) {
    this.retentionMs = options.retentionMs ?? 600_000;
    this.maxPoints = Math.max(2, options.maxPointsPerSeries ?? 600);
    this.maxSeries = options.maxSeries ?? 10_000;
    this.maxFutureMs = options.maxFutureMs ?? 300_000;
  }

  /** Count `count` samples of `source` not stored for `reason` (scrapers count whole refused scrapes here too). */
  countDropped(source: string, reason: DropReason, count = 1): void {
    const key = `${source}|${reason}`;
    const entry = this.drops.get(key) ?? { source, reason, count: 0 };
    entry.count += count;
    this.drops.set(key, entry);
    this.droppedSamples += count;
  }

  /** Samples dropped so far, by source and reason (homeostat's `/metrics` renders them). */
  dropped(): { source: string; reason: DropReason; count: number }[] {
    return [...this.drops.values()].map((entry) => ({ ...entry }));
  }

  /** Samples stored at another time than their own so far, by source and reason (`/metrics` renders them). */
  restamped(): { source: string; reason: RestampReason; count: number }[] {
    return [...this.restamps.values()].map((entry) => ({ ...entry }));
  }

  private countRestamped(source: string, reason: RestampReason): void {
    const key = `${source}|${reason}`;
    const entry = this.restamps.get(key) ?? { source, reason, count: 0 };
    entry.count++;
    this.restamps.set(key, entry);
  }

  /** Series held now for `source`. */
  seriesOf(source: string): number {
    return this.seriesBySource.get(source) ?? 0;
  }

  /**
   * Add a sample from outside (a scrape, a push): its timestamp must be within the
   * retention before `now` and at most `maxFutureMs` after it (a little ahead is clock
   * skew, clamped to `now`; a timestamp far ahead would otherwise expire every real point
   * and hide later ones from the rules), never negative; and `source` may create series
   * only within its budget. Anything refused is counted under its reason, which is
   * returned (null: stored).
   *
   * A sample earlier than its series' latest point (a clock stepped back, DST in a
   * local-time exporter, two exports merged), or at the latest point's time with another
   * value, is stored as the series' next sample, at its arrival time (`now`, or 1 ms after
   * the latest point if that is later) and counted under {@link restamped}. Arrival time
   * rather than "latest + 1 ms": after a clock steps back, every sample for minutes is
   * behind, and packing them a millisecond apart would turn a counter's steady increase
   * into a huge rate; at arrival time rates stay true, and each sample reaches the rules once.
   */
  ingest(source: SeriesSource, name: string, labels: Readonly<Record<string, string>>, value: number, at: number | undefined, now: number): DropReason | null {
    let time = at ?? now;
    let refused: DropReason | null = null;
    if (!Number.isFinite(time) || time < 0) refused = 'invalid_timestamp';
    else if (time > now + this.maxFutureMs) refused = 'future_timestamp';
    else if (Math.min(time, now) < now - this.retentionMs) refused = 'stale_timestamp';
    if (refused) {
      this.countDropped(source.name, refused);
      return refused;
    }
    let restamp: RestampReason | undefined = time > now ? 'clock_skew' : undefined;
    time = Math.min(time, now);
    const latest = this.latest(seriesKey(name, labels));
    if (latest && (time < latest.at || (time === latest.at && !Object.is(value, latest.value)))) {
      restamp = time < latest.at ? 'reordered' : 'repeated';
      time = Math.max(now, latest.at + 1);
    }
    const result = this.add(name, labels, value, time, source);
    if (result === null && restamp) this.countRestamped(source.name, restamp);
    return result;
  }

  /**
   * Add a point; false when it was dropped (series cap or `source`'s budget reached, a
   * non-finite time, or a time before the series' latest point: rings stay in time order).
   * Trusted callers (homeostat's own resource samples) append directly; outside data goes
   * through {@link ingest}.
   */
  append(name: string, labels: Readonly<Record<string, string>>, value: number, at: number, source?: SeriesSource): boolean {
    return this.add(name, labels, value, at, source) === null;
  }

  private refuse(source: string, reason: DropReason): DropReason {
    this.countDropped(source, reason);
    return reason;
  }

  get seriesCount(): number {
    return this.rings.size;
  }

  private add(name: string, labels: Readonly<Record<string, string>>, value: number, at: number, source?: SeriesSource): DropReason | null {
    const sourceName = source?.name ?? 'internal';
    if (!Number.isFinite(at)) return this.refuse(sourceName, 'invalid_timestamp');
    const key = seriesKey(name, labels);
    let ring = this.rings.get(key);
    if (!ring) {
      if (this.rings.size >= this.maxSeries) return this.refuse(sourceName, 'global_series_limit');
      if (source && this.seriesOf(source.name) >= source.maxSeries) return this.refuse(sourceName, 'source_series_limit');
      ring = new Ring({ key, name, labels: { ...labels } }, this.maxPoints);
      this.rings.set(key, ring);
      if (source) {
        ring.owner = source.name;
        this.seriesBySource.set(source.name, this.seriesOf(source.name) + 1);
      }
    } else if (ring.size > 0 && at < ring.at[(ring.start + ring.size - 1) % ring.at.length]!) {
      return this.refuse(sourceName, 'out_of_order');
    }
    ring.expire(at - this.retentionMs);
    ring.push(at, value);
    return null;
  }

  /** Series of `name` whose labels include every pair of `match`. */
  find(name: string, match: Readonly<Record<string, string>> = {}): SeriesId[] {
    const found: SeriesId[] = [];
    for (const ring of this.rings.values()) {
      if (ring.id.name !== name) continue;
      if (Object.entries(match).every(([label, value]) => ring.id.labels[label] === value)) found.push(ring.id);
    }
    return found;
  }

  /** Series of any name whose labels include every pair of `match` (at most `limit`). */
  select(match: Readonly<Record<string, string>>, limit = Infinity): SeriesId[] {
    const found: SeriesId[] = [];
    for (const ring of this.rings.values()) {
      if (found.length >= limit) break;
      if (Object.entries(match).every(([label, value]) => ring.id.labels[label] === value)) found.push(ring.id);
    }
    return found;
  }

  /** Points of a series at or after `since`, oldest first. */
  points(key: string, since = -Infinity): Point[] {
    const ring = this.rings.get(key);
    if (!ring) return [];
    const points: Point[] = [];
    for (let i = 0; i < ring.size; i++) {
      const point = ring.get(i);
      if (point.at >= since) points.push(point);
    }
    return points;
  }

  latest(key: string): Point | undefined {
    const ring = this.rings.get(key);
    return ring && ring.size > 0 ? ring.get(ring.size - 1) : undefined;
  }

  /**
   * Per-second increase of a counter over the last `windowMs` before `now`, counting a
   * drop in value as a reset (the process restarted). Undefined with fewer than two points.
   */
  rate(key: string, windowMs: number, now: number): number | undefined {
    const points = this.points(key, now - windowMs);
    if (points.length < 2) return undefined;
    let increase = 0;
    for (let i = 1; i < points.length; i++) {
      const delta = points[i]!.value - points[i - 1]!.value;
      increase += delta >= 0 ? delta : points[i]!.value;
    }
    const seconds = (points[points.length - 1]!.at - points[0]!.at) / 1_000;
    return seconds > 0 ? increase / seconds : undefined;
  }

  /** Drop every point older than the retention, and series left empty. */
  prune(now: number): void {
    for (const [key, ring] of this.rings) {
      ring.expire(now - this.retentionMs);
      if (ring.size > 0) continue;
      this.rings.delete(key);
      if (ring.owner !== undefined) {
        const left = this.seriesOf(ring.owner) - 1;
        if (left > 0) this.seriesBySource.set(ring.owner, left);
        else this.seriesBySource.delete(ring.owner);
      }
    }
  }
}
