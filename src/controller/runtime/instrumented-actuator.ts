import type { ActionOutcome, Actuator } from '../../execute/actuators.js';
import type { Logger } from '../../telemetry/logger.js';
import type { RuntimeMetrics } from './runtime-metrics.js';

/**
 * `actuator`, with every executed action counted (`homeostat_actions_total{kind,outcome}`),
 * timed (`homeostat_action_duration_seconds{kind}`), logged and said. An actuator that
 * throws is an outcome that failed and says what it threw: the remediation decides what
 * comes next, the error never escapes.
 */
export function instrumentedActuator(
  actuator: Actuator,
  options: { metrics: Pick<RuntimeMetrics, 'actions' | 'actionSeconds'>; logger: Pick<Logger, 'info'>; say: (line: string) => void },
): Actuator {
  const { metrics, logger, say } = options;
  return {
    execute: async (action, target, signal) => {
      const started = performance.now();
      let outcome: ActionOutcome;
      try {
        outcome = await actuator.execute(action, target, signal);
      } catch (error) {
        outcome = { ok: false, detail: `${action.action} threw: ${(error as Error).message}` };
      }
      metrics.actions.inc({ kind: action.action, outcome: outcome.ok ? 'ok' : 'failed' });
      metrics.actionSeconds.observe({ kind: action.action }, (performance.now() - started) / 1_000);
      logger.info({ incident: target.incidentId, action: action.action, target: target.instance ?? target.service, ok: outcome.ok, detail: outcome.detail }, 'action executed');
      say(`  ${action.action} ${target.instance ?? target.service}: ${outcome.detail}`);
      return outcome;
    },
  };
}
