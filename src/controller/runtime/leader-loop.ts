import type { Diagnoser } from '../../analyze/symptom.js';
import type { HomeostatConfig } from '../../config/schema/root.js';
import type { ElementControl } from '../../execute/element-control.js';
import type { WebhookSender } from '../../execute/webhook-sender.js';
import type { Knowledge } from '../../knowledge/knowledge.js';
import type { IncidentRecord } from '../../store/records.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Engine } from '../../workflow/engine.js';
import { AutonomicLoop, type LoopBuffer } from '../autonomic-loop.js';
import { symptomsClearedHealth } from '../symptoms-cleared-health.js';
import type { IncidentAccounting } from './incident-accounting.js';

export interface LeaderLoopDeps {
  /** The config versions: the one applied when this process starts leading, and the candidate causes of a new incident. */
  configs: { live: { config: HomeostatConfig }; noteCandidate(incident: IncidentRecord): Promise<void> };
  knowledge: Knowledge;
  control: ElementControl;
  /** The loop's diagnoser for a config version. */
  diagnoserFor: (config: HomeostatConfig) => Diagnoser;
  accounting: Pick<IncidentAccounting, 'opened' | 'reopened' | 'retargeted' | 'escalatedWithoutPolicy'>;
  /** Whether symptom `symptom` (a metric rule's, an alert's) has cleared on `service`: an incident is healthy only once its symptoms cleared. */
  symptomCleared: (service: string, symptom: string) => boolean;
  drops: { drop(buffer: LoopBuffer, count: number): void };
  logger: Pick<Logger, 'error' | 'warn'>;
  /** The process's webhook sender (the page of an incident no policy matches). */
  webhooks?: WebhookSender;
}

/**
 * The loop a new leader runs, on its own engine worker: the applied config version, the
 * runtime's control and diagnoser, and every turn of an incident's life counted and said
 * by the {@link IncidentAccounting}.
 */
export function leaderLoop(deps: LeaderLoopDeps): (worker: Engine) => AutonomicLoop {
  const { configs, knowledge, control, accounting, symptomCleared, logger } = deps;
  return (worker) => {
    const config = configs.live.config;
    return new AutonomicLoop({
      config,
      knowledge,
      // Started on the leader's own worker: executed at once, no poll in between.
      engine: worker,
      control,
      onError: (key, error) => logger.error({ key, err: error }, 'reconcile failed (re-queued)'),
      onDropped: (buffer, count) => deps.drops.drop(buffer, count),
      diagnoser: deps.diagnoserFor(config),
      onIncidentOpened: (incident, symptom) => {
        accounting.opened(incident, symptom);
        void configs.noteCandidate(incident).catch((error: unknown) => logger.warn({ err: error }, 'noting a config change failed'));
      },
      // Swappable: how "healthy now" is decided before a slow retry.
      incidentHealth: symptomsClearedHealth({ knowledge, control, symptomCleared }),
      onReopened: (incident, symptom) => accounting.reopened(incident, symptom),
      onRetargeted: (incident, from) => accounting.retargeted(incident, from),
      onEscalated: (incident) => accounting.escalatedWithoutPolicy(incident),
      ...(deps.webhooks ? { webhooks: deps.webhooks } : {}),
    });
  };
}
