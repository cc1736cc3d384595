import { sampleValueJson, type SampleValueJson } from '../../monitor/sample-value-json.js';
import type { TimeSeriesStore } from '../../monitor/time-series.js';
import type { Store } from '../../store/store.js';
import type { ElementEvent } from '../../supervisor/element-events.js';
import type { ElementStatus } from '../../supervisor/supervisor.js';

/** Process exits remembered in memory; beyond it the oldest instance's is forgotten (and counted). */
const RECENT_EXITS = 1_000;

export interface ActionEvidenceOptions {
  /** The stored element events (exits reach the store in batches). */
  store: Pick<Store, 'listEvents'>;
  /** The scraped series (the element's latest metrics). */
  series: Pick<TimeSeriesStore, 'select' | 'latest'>;
  /** The supervisor's view of each process now. */
  status: () => Pick<ElementStatus, 'element' | 'instance' | 'state' | 'health' | 'restarts' | 'rssBytes' | 'lastExit'>[];
  /** An instance's last exit was forgotten to keep the memory bounded. */
  onDropped: () => void;
}

interface RememberedExit {
  at: number;
  kind: string;
  data: Record<string, unknown>;
}

/**
 * The evidence recorded before a destructive action: the last lines the element wrote and
 * its latest exits (stored, and the ones still on their way to the store, remembered here
 * per instance), its latest metrics and the supervisor's view of its processes.
 */
export class ActionEvidence {
  /** The last exit per instance, in memory: the store gets events in batches, evidence cannot wait. */
  private readonly recentExits = new Map<string, RememberedExit>();

  constructor(private readonly options: ActionEvidenceOptions) {}

  /** Every supervisor event passes here; exits and crash loops are remembered. */
  remember(event: ElementEvent): void {
    if (event.kind !== 'process-exited' && event.kind !== 'crash-looping') return;
    this.recentExits.set(event.instance, { at: event.at, kind: event.kind, data: { ...event } });
    if (this.recentExits.size > RECENT_EXITS) {
      this.recentExits.delete(this.recentExits.keys().next().value!);
      this.options.onDropped();
    }
  }

  /** Evidence about `service` (one `instance` of it when given): the last 3 exits, 20 lines, 30 series. */
  async gather(service: string, instance?: string): Promise<Record<string, unknown>> {
    const { store, series } = this.options;
    const events = await store.listEvents({ element: service, kinds: ['process-exited', 'crash-looping'], limit: 10 });
    const stored = events.map((e) => ({ at: e.at, kind: e.kind, data: parseObject(e.data) }));
    const live = [...this.recentExits.values()].filter((e) => e.data.element === service);
    const seen = new Set(stored.map((e) => `${e.at}|${String(e.data.instance)}`));
    const exits = [...stored, ...live.filter((e) => !seen.has(`${e.at}|${String(e.data.instance)}`))]
      .sort((a, b) => a.at - b.at)
      .filter((e) => instance === undefined || e.data.instance === instance)
      .slice(-3);
    const lastLines = (exits.at(-1)?.data.lastLines as string[] | undefined) ?? [];
    const metrics: Record<string, SampleValueJson> = {};
    for (const id of series.select({ service, ...(instance ? { instance } : {}) }, 30)) {
      const latest = series.latest(id.key);
      if (latest) metrics[id.key] = sampleValueJson(latest.value);
    }
    const states = this.options
      .status()
      .filter((s) => s.element === service && (instance === undefined || s.instance === instance))
      .map((s) => ({ instance: s.instance, state: s.state, health: s.health, restarts: s.restarts, rssBytes: s.rssBytes, lastExit: s.lastExit }));
    return { lastLines: lastLines.slice(-20), recentExits: exits.map((e) => ({ at: e.at, kind: e.kind, code: e.data.code ?? null, reason: e.data.reason ?? null })), metrics, states };
  }
}

function parseObject(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {};
  }
}
