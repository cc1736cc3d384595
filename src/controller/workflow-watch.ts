import { workflowElement } from '../analyze/workflow-element.js';
import type { Symptom } from '../analyze/symptom.js';
import { isInternalWorkflow } from '../workflow/internal-workflows.js';
import type { RunRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

export interface WorkflowWatchOptions {
  store: Pick<Store, 'listRuns'>;
  observe: (symptom: Symptom) => void;
  /** How often the store is read (default 1 s). */
  everyMs?: number;
  /** Runs that finished before this are history, not symptoms (default: when the watch starts). */
  since?: number;
  /** Workflow names to leave out (default: homeostat's own, `homeostat.*`: the loop handles those). */
  ignore?: (workflow: string) => boolean;
  onError?: (error: unknown) => void;
}


/**
 * Workflow-engine events as symptoms: a run that ends `failed` (retries exhausted, or a
 * terminal error) becomes `workflow-failed`, one that is `parked` (dead-lettered) becomes
 * `workflow-dead-lettered`, on the element `workflow:<name>` with labels `workflow` and
 * `status`. Runs execute on any worker process, so the store is read (every second),
 * not an in-process emitter; each run (and each redrive generation) is reported once.
 *
 * @example
 * const watch = new WorkflowWatch({ store, observe: (s) => runtime.observe(s) }); watch.start();
 * // a run of `order.fulfil` parked → { name: 'workflow-dead-lettered', element: 'workflow:order.fulfil', … }
 * @example
 * await watch.poll() // the symptoms found now (also what the timer does)
 */
export class WorkflowWatch {
  private readonly seen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly since: number;
  private busy = false;

  constructor(private readonly options: WorkflowWatchOptions) {
    this.since = options.since ?? Date.now();
  }

  start(): void {
    this.timer = setInterval(() => void this.poll().catch((error: unknown) => this.options.onError?.(error)), this.options.everyMs ?? 1_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async poll(): Promise<Symptom[]> {
    if (this.busy) return [];
    this.busy = true;
    try {
      const ignore = this.options.ignore ?? isInternalWorkflow;
      const found: Symptom[] = [];
      for (const run of await this.options.store.listRuns({ status: ['failed', 'parked'], limit: 200 })) {
        const key = `${run.id}|${run.generation}`;
        if (this.seen.has(key) || ignore(run.workflow) || (run.finishedAt ?? run.updatedAt) < this.since) continue;
        this.seen.add(key);
        const symptom = symptomOfRun(run);
        found.push(symptom);
        this.options.observe(symptom);
      }
      if (this.seen.size > 10_000) this.seen.clear();
      return found;
    } finally {
      this.busy = false;
    }
  }
}

/** The symptom a failed or parked run is. */
export function symptomOfRun(run: RunRecord): Symptom {
  const name = run.status === 'parked' ? 'workflow-dead-lettered' : 'workflow-failed';
  const error = run.error ? `${run.error.code ? `${run.error.code}: ` : ''}${run.error.message}` : 'no error recorded';
  return {
    name,
    element: workflowElement(run.workflow),
    at: run.finishedAt ?? run.updatedAt,
    labels: { workflow: run.workflow, status: run.status },
    signal: { kind: 'workflow-run', runId: run.id, workflow: run.workflow, status: run.status, generation: run.generation, message: `run ${run.id} ${run.status === 'parked' ? 'was dead-lettered (parked)' : 'failed'}: ${error}` },
  };
}
