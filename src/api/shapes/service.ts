import type { ElementStateRecord } from '../../store/records.js';
import { arrayOf, closedObject, nullableText, number, openObject, text } from './json-schema.js';

/** One instance of a service: its supervisor's last report; `details` (pid, restarts, resources …) as reported. */
export const instanceSchema = closedObject({ instance: text, state: text, health: text, owner: text, updatedAt: number, details: openObject });

export function instanceShape(state: ElementStateRecord) {
  let details: unknown;
  try {
    details = JSON.parse(state.data);
  } catch {
    details = {};
  }
  return { instance: state.instance, state: state.state, health: state.health, owner: state.owner, updatedAt: state.updatedAt, details };
}

/** A service: the worst health of its instances meant to run, the services it depends on, its standby. */
export const serviceProperties = { name: text, health: text, dependsOn: arrayOf(text), standby: nullableText, instances: arrayOf(instanceSchema) };
export const serviceSchema = closedObject(serviceProperties);

export interface ServiceShape {
  name: string;
  health: string;
  dependsOn: string[];
  standby: string | null;
  instances: ReturnType<typeof instanceShape>[];
}
