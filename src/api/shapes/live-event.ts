import type { LiveEvent } from '../live-events.js';
import { incidentSchema, incidentShape } from './incident.js';
import { number, oneOf, openObject, text, type JsonSchema } from './json-schema.js';

/**
 * The supervisor event of an `element` frame, as the supervisor emits it
 * (src/supervisor/element-events.ts): `kind`, `element`, `at`, and the fields of its kind.
 * The keys are documented without types: the frame passes them on untouched.
 */
export const liveElementEventSchema: JsonSchema = {
  ...openObject,
  required: ['kind', 'element', 'at'],
  properties: {
    kind: text,
    element: text,
    at: number,
    instance: { description: 'the instance (`api#0`), for instance events' },
    replica: { description: 'replica number' },
    pid: { description: 'process id' },
    port: { description: 'the port given to the replica' },
    code: { description: 'exit code (process-exited)' },
    signal: { description: 'the signal that ended it (process-exited)' },
    reason: { description: 'why: an exit reason (`crashed`, `stopped`, …), a failed spawn\'s, a leftover\'s' },
    uptimeMs: { description: 'how long the process ran (process-exited)' },
    lastLines: { description: 'its last lines of output' },
    message: { description: 'what failed (spawn-failed, dependency-timeout)' },
    trial: { description: 'a reload\'s trial start (spawn-failed)' },
    attempt: { description: 'restart attempt (restart-scheduled)' },
    delayMs: { description: 'backoff before the restart (restart-scheduled)' },
    restarts: { description: 'restarts so far' },
    restartsInWindow: { description: 'restarts within the crash-loop window' },
    windowMs: { description: 'the crash-loop window' },
    stableForMs: { description: 'how long it ran stable (crash-loop-cleared)' },
    probe: { description: 'the probe (`liveness`, `readiness`, …) of a probe-changed event' },
    from: { description: 'the state before (probe-changed, failover, scaled)' },
    to: { description: 'the state after (probe-changed: `passing` or `failing`; failover; scaled)' },
    resource: { description: 'the resource of a breach (`memory`, `cpu`)' },
    value: { description: 'the measured value of a breach' },
    limit: { description: 'the limit of a breach' },
    action: { description: 'what the supervisor did (resource-breach)' },
    stoppedBy: { description: 'who stopped a leftover process' },
    ownerPid: { description: 'the `up` that had started a leftover process' },
    dependencies: { description: 'the services waited for (dependency-timeout)' },
    waitedMs: { description: 'how long it waited (dependency-timeout)' },
    nextRetryMs: { description: 'when it tries again (dependency-timeout)' },
  },
};

/**
 * One frame's `data` on `GET /api/stream` (`event:` names its `type`): `element` with the
 * supervisor's `event`, `incident` with the incident as the API shows it, `run-finished`
 * with `runId`, `workflow` and `status`, `dropped` with the `count` of events missed, and
 * `error` with the usual error body when the token is revoked.
 */
export const liveEventSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: oneOf(['element', 'incident', 'run-finished', 'dropped']),
    event: liveElementEventSchema,
    incident: incidentSchema,
    runId: text,
    workflow: text,
    status: text,
    count: number,
    error: { type: 'object', properties: { code: text, message: text } },
  },
};

/** A live event as a frame sends it: an incident as every other answer shows one. */
export function liveEventShape(event: LiveEvent): LiveEvent | { type: 'incident'; incident: ReturnType<typeof incidentShape> } {
  return event.type === 'incident' ? { type: 'incident', incident: incidentShape(event.incident) } : event;
}
