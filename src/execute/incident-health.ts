import { isAgentElement } from '../analyze/agent-element.js';
import { isProviderElement } from '../analyze/provider-element.js';
import { isWorkflowElement } from '../analyze/workflow-element.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import { systemClock, type Clock } from '../resilience/clock.js';
import type { ElementControl } from './element-control.js';
import type { HealthReading } from './verify-health.js';

/**
 * How a kind of symptom is seen to have cleared: `probes`, the element it was observed on
 * is healthy (running, every probe passing, as {@link ElementControl.isHealthy} says);
 * `rule`, that element is healthy AND the metric rule is no longer firing or pending there;
 * `event`, nothing to wait for — the symptom is a past event of something homeostat does
 * not supervise, which no waiting can undo.
 */
export type Clearance = 'probes' | 'rule' | 'event';

/**
 * What "cleared" means per symptom kind — the one place that says it (docs/detection-and-
 * diagnosis.md repeats it). A name not listed is a metric `symptoms:` rule (`rule`).
 *
 * - Element events (`process-crashed`, `liveness-failing`, `readiness-failing`,
 *   `crash-looping`, `resource-breach`, `spawn-failed`): the element's health is its
 *   process running with its probes passing, so that is what must hold.
 * - `config-apply-failed`: the failed version was never applied and the previous one stays
 *   in force; what it broke shows in its elements' own symptoms.
 * - `workflow-failed`, `workflow-dead-lettered`: the element is `workflow:<name>`, which has
 *   no probes; a failed run stays failed (redrive is a person's decision), and the next
 *   failure is a new symptom of its own. Verification does not wait for it.
 * - `model-provider-degraded`, `model-provider-recovered` (not listed: `rule`): the element is
 *   `provider:<name>`, which has no probes; they clear when the callers' model attempts since
 *   the last drain or restore are healthy (controller/provider-watch.ts, `cleared`).
 * - `agent-unresponsive`, `agent-dissenting` (not listed: `rule`): the element is
 *   `agent:<name>`, which has no probes; they clear when the agent heartbeats again or its
 *   rate is back above `minReliability` — or it is quarantined, taking no work
 *   (controller/agent-watch.ts, `cleared`).
 */
export const CLEARED_BY: Readonly<Record<string, Clearance>> = {
  'process-crashed': 'probes',
  'liveness-failing': 'probes',
  'readiness-failing': 'probes',
  'crash-looping': 'probes',
  'resource-breach': 'probes',
  'spawn-failed': 'probes',
  'config-apply-failed': 'event',
  'workflow-failed': 'event',
  'workflow-dead-lettered': 'event',
};

/** How symptom `name` clears (a name not in {@link CLEARED_BY}: a metric rule). */
export function clearanceOf(name: string): Clearance {
  return Object.hasOwn(CLEARED_BY, name) ? CLEARED_BY[name]! : 'rule';
}

/** A symptom joined to an incident, as its explanation chain records it. */
export interface IncidentSymptom {
  name: string;
  element: string;
  instance?: string;
}

export interface IncidentHealthDeps {
  knowledge: Knowledge;
  control: ElementControl;
  /** Whether metric rule `symptom` has cleared on `service`; without it, rules count as clear. */
  symptomCleared?: (service: string, symptom: string) => boolean;
  /**
   * Why metric rule `symptom` on `service` cannot be told now (a PromQL rule whose query is
   * not answered: Prometheus down), or undefined when its state is known. A rule not cleared
   * for that reason alone makes the incident's health unknown rather than failing.
   */
  symptomUnknown?: (service: string, symptom: string) => string | undefined;
}

export interface IncidentHealthOptions {
  /** The element the action went to (the incident's target, or a failover's new side): it must be healthy too. */
  target: string;
  /** An element the action replaced (a failover's old side): not checked, `target` serves for it. */
  replaced?: string;
  /** How often the incident's symptoms are read again, for those that join during verification (default 1 s). */
  rereadEveryMs?: number;
  clock?: Clock;
}

/** What must be clear for one incident, for {@link verifyHealthy}. */
export interface IncidentHealth {
  /** True when every symptom joined to the incident has cleared where it was observed. */
  check(): Promise<boolean>;
  /**
   * The same, in three states: true (clear), false (something known is not clear), or
   * unknown (what is not clear is only PromQL rules whose queries are unanswered).
   */
  read(): Promise<HealthReading>;
  /** What kept the last check from passing ('' when it passed), e.g. "nginx probes failing (readiness-failing); rule app-errors still firing on app". */
  failing(): string;
  /** The symptoms checked (as of the last read). */
  symptoms(): IncidentSymptom[];
}

/**
 * The health of an incident as a whole, not of one element: every element with a symptom
 * in the incident must be healthy and every metric rule that fired must be clear on the
 * element it fired on — as {@link CLEARED_BY} defines per symptom kind — plus the target the
 * action went to. A re-targeted incident is therefore not resolved by its new target
 * getting healthy while a dependent's readiness or error rate is still bad. The symptoms are
 * read from the explanation chain now and again every `rereadEveryMs`, so one that joins
 * during the verification window counts too.
 *
 * @example const health = await incidentHealth(deps, incidentId, { target: 'app' });
 * await verifyHealthy(() => health.check(), { healthyForMs: 2_000, timeoutMs: 20_000, whyNot: () => health.failing() })
 * @example health.failing() // 'nginx probes failing (readiness-failing); rule app-errors still firing on app'
 */
export async function incidentHealth(deps: IncidentHealthDeps, incidentId: string, options: IncidentHealthOptions): Promise<IncidentHealth> {
  const clock = options.clock ?? systemClock;
  const rereadEveryMs = options.rereadEveryMs ?? 1_000;
  let symptoms = await incidentSymptoms(deps.knowledge, incidentId);
  let readAt = clock.now();
  let notClear: NotClear = { failing: [], unknown: [] };
  const read = async (): Promise<HealthReading> => {
    if (clock.now() - readAt >= rereadEveryMs) {
      symptoms = await incidentSymptoms(deps.knowledge, incidentId);
      readAt = clock.now();
    }
    notClear = stillFailing(deps, symptoms, options);
    if (notClear.failing.length > 0) return false;
    return notClear.unknown.length > 0 ? { unknown: notClear.unknown.join('; ') } : true;
  };
  return {
    read,
    check: async () => (await read()) === true,
    failing: () => [...notClear.failing, ...notClear.unknown].join('; '),
    symptoms: () => symptoms,
  };
}

/** The incident's symptoms, one per (name, element), from its explanation chain. */
export async function incidentSymptoms(knowledge: Knowledge, incidentId: string): Promise<IncidentSymptom[]> {
  const explained = await knowledge.incidents.explain(incidentId);
  const found = new Map<string, IncidentSymptom>();
  for (const entry of explained?.entries ?? []) {
    if (entry.kind !== 'symptom' || typeof entry.data.name !== 'string') continue;
    const element = typeof entry.data.element === 'string' ? entry.data.element : explained!.incident.key;
    const key = `${entry.data.name}|${element}`;
    if (!found.has(key)) found.set(key, { name: entry.data.name, element, ...(typeof entry.data.instance === 'string' ? { instance: entry.data.instance } : {}) });
  }
  // An incident whose symptoms were never recorded (its opening reconcile failed) has its first one's name.
  if (found.size === 0 && explained) found.set('first', { name: explained.incident.symptom, element: explained.incident.key });
  return [...found.values()];
}

/** What is not clear: known failures, and rules that cannot be told (their reasons). */
interface NotClear {
  failing: string[];
  unknown: string[];
}

/** What is not clear now, one phrase per element or rule, target first. */
function stillFailing(deps: IncidentHealthDeps, symptoms: IncidentSymptom[], options: IncidentHealthOptions): NotClear {
  // A workflow element has no probes: its symptoms are events (CLEARED_BY), and so is it as a
  // target. A model provider has none either: its symptoms clear by what its callers see (rules).
  const probed = new Map<string, string[]>(hasNoProbes(options.target) ? [] : [[options.target, []]]);
  const rules: IncidentSymptom[] = [];
  for (const symptom of symptoms) {
    const clearance = clearanceOf(symptom.name);
    if (clearance === 'event' || symptom.element === options.replaced) continue;
    if (!hasNoProbes(symptom.element)) probed.set(symptom.element, [...(probed.get(symptom.element) ?? []), symptom.name]);
    if (clearance === 'rule') rules.push(symptom);
  }
  const failing: string[] = [];
  for (const [element, names] of probed) {
    if (!deps.control.isHealthy(element)) failing.push(`${element} probes failing${names.length ? ` (${[...new Set(names)].join(', ')})` : ''}`);
  }
  const unknown: string[] = [];
  const cleared = deps.symptomCleared;
  if (cleared) {
    for (const rule of rules) {
      if (cleared(rule.element, rule.name)) continue;
      const why = deps.symptomUnknown?.(rule.element, rule.name);
      if (why !== undefined) unknown.push(`rule ${rule.name} on ${rule.element} unknown: ${why}`);
      else failing.push(`rule ${rule.name} still firing on ${rule.element}`);
    }
  }
  return { failing, unknown };
}

/** Elements that are no process: a workflow (`workflow:<name>`), a model provider (`provider:<name>`) or an agent (`agent:<name>`). */
function hasNoProbes(element: string): boolean {
  return isWorkflowElement(element) || isProviderElement(element) || isAgentElement(element);
}
