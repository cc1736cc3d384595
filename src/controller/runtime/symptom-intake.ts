import type { Symptom } from '../../analyze/symptom.js';
import type { Logger } from '../../telemetry/logger.js';
import type { Counter } from '../../telemetry/metrics.js';
import type { SymptomOutbox } from './symptom-outbox.js';

/** Where the runtime's sources (supervisor, metric rules, workflow runs, config applies) hand their symptoms. */
export interface SymptomIntake {
  /** A symptom of this node's own processes: it is labelled with this node (`labels.node`) unless it names one. */
  observe(symptom: Symptom): void;
  /** A symptom about no node's processes (a failed workflow run). */
  observeShared(symptom: Symptom): void;
}

/** Every symptom is counted (`homeostat_symptoms_total{name}`) and logged, then handed to the outbox. */
export function symptomIntake(deps: { node: string; symptoms: Counter; logger: Pick<Logger, 'info'>; outbox: Pick<SymptomOutbox, 'observe' | 'observeShared'> }): SymptomIntake {
  const { node, symptoms, logger, outbox } = deps;
  const count = (symptom: Symptom) => {
    symptoms.inc({ name: symptom.name });
    logger.info({ symptom: symptom.name, element: symptom.element, instance: symptom.instance, labels: symptom.labels }, 'symptom');
  };
  return {
    observe: (symptom) => {
      const own: Symptom = symptom.labels.node ? symptom : { ...symptom, labels: { ...symptom.labels, node } };
      count(own);
      outbox.observe(own);
    },
    observeShared: (symptom) => {
      count(symptom);
      outbox.observeShared(symptom);
    },
  };
}
