import type { ElementStateRecord } from '../../store/records.js';
import { arrayOf, closedObject, nullableText, number, openObject, text } from './json-schema.js';

/**
 * What a supervisor reports of an instance besides its state and health, as it reports it.
 * The keys are documented without types: the answer passes them on untouched (a declared
 * type would make the serializer coerce a value), and keys a newer supervisor adds still appear.
 */
export const instanceDetailsSchema = {
  ...openObject,
  properties: {
    replica: { description: 'replica number within the service' },
    pid: { description: 'process id, null while no process runs' },
    port: { description: 'the port given to the replica, or null' },
    restarts: { description: 'restarts so far' },
    startedAt: { description: 'when the current process started (ms since the epoch), or null' },
    lastExit: { description: '{ code, signal, reason, at } of the last exit, or null' },
    nextRestartAt: { description: 'when a restart in backoff is due, or null' },
    rssBytes: { description: 'resident memory, or null' },
    cpuPercent: { description: 'CPU use, or null' },
    probes: { description: 'each probe\'s last result by probe name' },
    kind: { description: '`process` or `external`' },
    role: { description: 'the service\'s role: `active` or `standby`' },
    replicas: { description: 'replicas the service is configured with' },
  },
};

/** One instance of a service: its supervisor's last report. */
export const instanceSchema = closedObject({ instance: text, state: text, health: text, owner: text, updatedAt: number, details: instanceDetailsSchema });

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
