import { REMEDIATION_WORKFLOW } from '../../execute/remediation-workflow.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Histogram } from '../../telemetry/metrics.js';
import type { EngineEvent, EngineEventListener } from '../../workflow/engine-events.js';

export interface EngineEventDispatcherOptions {
  /** `homeostat_workflow_step_duration_seconds`, by step (its rung cut off) and status. */
  stepSeconds: Histogram;
  /** `homeostat_remediation_duration_seconds`, by status: from its start or claim here to its end. */
  remediationSeconds: Histogram;
  logger: Pick<Logger, 'error'>;
  /** Every finished run, whatever its workflow (the API's live stream). */
  onRunFinished?: (event: Extract<EngineEvent, { type: 'run-finished' }>) => void;
  /** A remediation run finished (read its outcome); a failure here is logged, never thrown into the engine. */
  onRemediationFinished: (runId: string, status: string) => Promise<void>;
}

/**
 * What the leader's engine worker reports, turned into metrics, logs and follow-ups: step
 * and remediation durations, worker errors in the log, finished runs to the live stream
 * and finished remediations to whoever reads their outcome.
 */
export function engineEventDispatcher(options: EngineEventDispatcherOptions): EngineEventListener {
  const { stepSeconds, remediationSeconds, logger } = options;
  const started = new Map<string, number>();
  return (event) => {
    if (event.type === 'run-started' || event.type === 'run-claimed') started.set(event.runId, Date.now());
    if (event.type === 'worker-error') logger.error({ err: event.error }, event.message);
    // Step names carry the rung (act:0, verify:1): label by the part before the colon.
    if (event.type === 'step-finished') stepSeconds.observe({ step: event.step.split(':')[0]!, status: event.status }, event.durationMs / 1_000);
    if (event.type === 'run-finished') options.onRunFinished?.(event);
    if (event.type === 'run-finished' && event.workflow === REMEDIATION_WORKFLOW) {
      const since = started.get(event.runId);
      started.delete(event.runId);
      if (since !== undefined) remediationSeconds.observe({ status: event.status }, (Date.now() - since) / 1_000);
      void options.onRemediationFinished(event.runId, event.status).catch((error: unknown) => logger.error({ err: error }, 'reading a finished remediation failed'));
    }
  };
}
