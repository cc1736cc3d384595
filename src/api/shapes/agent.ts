import type { AgentView } from '../../agents/agent-health.js';
import type { AgentTaskEventRecord, AgentTaskRecord } from '../../store/agent-records.js';
import { anyJson, arrayOf, closedObject, nullableNumber, nullableText, number, oneOf, text } from './json-schema.js';

export const agentSchema = closedObject({
  name: text,
  capabilities: arrayOf(text),
  version: text,
  owner: text,
  capacity: number,
  load: number,
  health: oneOf(['alive', 'late', 'dead']),
  heartbeatMs: number,
  lastHeartbeatAt: number,
  heartbeatAgeMs: number,
  registeredAt: number,
  reliability: closedObject({ votes: number, agreed: number, rate: nullableNumber }),
  quarantine: { ...closedObject({ reason: text, by: text, at: number }), type: ['object', 'null'] },
  retired: { ...closedObject({ reason: text, by: text, at: number }), type: ['object', 'null'] },
});

export function agentShape(agent: AgentView) {
  return { ...agent };
}

export const agentTaskSchema = closedObject({
  id: text,
  runId: text,
  name: text,
  capability: text,
  input: anyJson,
  status: oneOf(['queued', 'claimed', 'completed', 'failed', 'dead']),
  agent: nullableText,
  generation: number,
  leaseMs: number,
  leaseExpiresAt: nullableNumber,
  lapses: number,
  maxLapses: number,
  result: anyJson,
  error: nullableText,
  createdAt: number,
  finishedAt: nullableNumber,
});

function parsed(json: string | null): unknown {
  return json === null ? null : (JSON.parse(json) as unknown);
}

/** A task as the listings show it, in the record's order; input and result parsed from their JSON. */
export function agentTaskShape(task: AgentTaskRecord) {
  return {
    id: task.id,
    runId: task.runId,
    name: task.name,
    capability: task.capability,
    input: parsed(task.input),
    status: task.status,
    agent: task.agent,
    generation: task.generation,
    leaseMs: task.leaseMs,
    leaseExpiresAt: task.leaseExpiresAt,
    lapses: task.lapses,
    maxLapses: task.maxLapses,
    result: parsed(task.result),
    error: task.error,
    createdAt: task.createdAt,
    finishedAt: task.finishedAt,
  };
}

/** A task as the API answers it. */
export type AgentTaskView = ReturnType<typeof agentTaskShape>;

export const agentTaskEventSchema = closedObject({ at: number, kind: text, agent: nullableText, generation: number, detail: nullableText });

export function agentTaskEventShape(event: AgentTaskEventRecord) {
  return { at: event.at, kind: event.kind, agent: event.agent, generation: event.generation, detail: event.detail };
}

/** A task as its agent receives it from a claim. */
export const dispatchedTaskSchema = closedObject({ id: text, runId: text, name: text, capability: text, input: anyJson, generation: number, leaseMs: number, leaseExpiresAt: number });
