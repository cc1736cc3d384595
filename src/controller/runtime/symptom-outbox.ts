import type { Symptom } from '../../analyze/symptom.js';
import type { Store } from '../../store/store.js';

/** Where symptoms go while this process leads: its loop. */
export interface SymptomSink {
  observe(symptom: Symptom): void;
}

/** Symptoms kept while another process leads; the oldest are kept, they open the incidents. */
const KEPT_SYMPTOMS = 1_000;

/** Symptoms written to or taken from the store at once. */
const BATCH = 500;

export interface SymptomOutboxOptions {
  store: Pick<Store, 'appendNodeSymptoms' | 'takeNodeSymptoms'>;
  /** This node's name, on the symptoms it queues. */
  node: string;
  /** A symptom was dropped: the buffer was full (`early-symptoms`). */
  onDropped: () => void;
  /** A store failure (retried at the next tick). */
  warn: (error: unknown, message: string) => void;
  /** How often the queue is written and, on the leader, read (default 200 ms). */
  everyMs?: number;
}

/**
 * Where symptoms go, whoever leads. While this process leads, each goes to its loop at
 * once. While another leads, this node's own symptoms are queued in the store (every
 * 200 ms, a failed write kept and sent again), where the leader takes them from; symptoms
 * about no node (failed workflow runs) are kept here until this process leads. Both are
 * bounded: beyond {@link KEPT_SYMPTOMS} the newest are dropped and counted. The leader
 * takes the other nodes' queued symptoms into its loop.
 */
export class SymptomOutbox {
  private sink: SymptomSink | undefined;
  /** This node's symptoms seen while another process leads, on their way to the store. */
  private readonly own: Symptom[] = [];
  /** Symptoms about no node seen before this process leads. */
  private readonly shared: Symptom[] = [];
  private flushing = false;
  private draining = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SymptomOutboxOptions) {}

  /** A symptom of this node's own processes (it carries `labels.node`). */
  observe(symptom: Symptom): void {
    this.deliver(symptom, this.own);
  }

  /** A symptom about no node's processes: only a leader's loop handles it. */
  observeShared(symptom: Symptom): void {
    this.deliver(symptom, this.shared);
  }

  /** This process leads: what was kept goes to `sink` (the shared first), and from now every symptom at once. */
  lead(sink: SymptomSink): void {
    this.sink = sink;
    for (const symptom of [...this.shared.splice(0), ...this.own.splice(0)]) sink.observe(symptom);
  }

  /** Another process leads (or none): symptoms are kept and queued again. */
  follow(): void {
    this.sink = undefined;
  }

  start(): void {
    this.timer = setInterval(() => {
      void this.flush();
      void this.drain();
    }, this.options.everyMs ?? 200);
    this.timer.unref();
  }

  /** Stops the ticks and queues what is left (a store failure is not retried). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }

  /** A follower's queued symptoms go to the store; on the leader they go to the loop. */
  async flush(): Promise<void> {
    if (this.flushing || this.own.length === 0) return;
    if (this.sink) {
      for (const symptom of this.own.splice(0)) this.sink.observe(symptom);
      return;
    }
    this.flushing = true;
    const batch = this.own.slice(0, BATCH);
    try {
      await this.options.store.appendNodeSymptoms(batch.map((symptom) => ({ node: this.options.node, symptom: JSON.stringify(symptom), at: symptom.at })));
      this.own.splice(0, batch.length);
    } catch (error) {
      // Kept and sent again at the next tick (the outbox is bounded: the newest are dropped).
      this.options.warn(error, 'queueing symptoms for the leader failed (retrying)');
    } finally {
      this.flushing = false;
    }
  }

  /** The leader takes the symptoms the other nodes queued, into its loop. */
  async drain(): Promise<void> {
    if (this.draining || !this.sink) return;
    this.draining = true;
    const { store } = this.options;
    try {
      const taken = await store.takeNodeSymptoms(BATCH);
      const symptoms = taken.flatMap((row) => parseSymptom(row.symptom) ?? []);
      const sink = this.sink;
      if (!sink) {
        // Deposed meanwhile: give them back for the next leader.
        if (taken.length > 0) await store.appendNodeSymptoms(taken.map(({ node, symptom, at }) => ({ node, symptom, at })));
        return;
      }
      for (const symptom of symptoms) sink.observe(symptom);
    } catch (error) {
      this.options.warn(error, "taking the other nodes' symptoms failed (retrying)");
    } finally {
      this.draining = false;
    }
  }

  private deliver(symptom: Symptom, kept: Symptom[]): void {
    if (this.sink) this.sink.observe(symptom);
    else if (kept.length < KEPT_SYMPTOMS) kept.push(symptom);
    else this.options.onDropped();
  }
}

/** A queued symptom read back; undefined when it cannot be read (not from a node of this version). */
function parseSymptom(text: string): Symptom | undefined {
  let parsed: Partial<Symptom>;
  try {
    parsed = JSON.parse(text) as Partial<Symptom>;
  } catch {
    return undefined;
  }
  if (typeof parsed.name !== 'string' || typeof parsed.element !== 'string' || typeof parsed.at !== 'number') return undefined;
  return { name: parsed.name, element: parsed.element, ...(typeof parsed.instance === 'string' ? { instance: parsed.instance } : {}), at: parsed.at, labels: (parsed.labels ?? {}) as Record<string, string>, signal: (parsed.signal ?? {}) as Record<string, unknown> };
}
