/** The columns of an `AgentRecord` (`agents`, migration 0014_agents); `capabilities` is JSON text, parsed by the tables. */
export const AGENT_COLUMNS =
  'name, capabilities, version, capacity, owner, heartbeat_ms AS "heartbeatMs", token_id AS "tokenId", registered_at AS "registeredAt", last_heartbeat_at AS "lastHeartbeatAt"';

/** The columns of an `AgentTaskRecord` (`agent_tasks`). */
export const AGENT_TASK_COLUMNS =
  'id, run_id AS "runId", name, capability, input, status, agent, generation, lease_ms AS "leaseMs", lease_expires_at AS "leaseExpiresAt", lapses, max_lapses AS "maxLapses", result, error, created_at AS "createdAt", finished_at AS "finishedAt"';

/** The columns of an `AgentTaskEventRecord` (`agent_task_events`). */
export const AGENT_TASK_EVENT_COLUMNS = 'task_id AS "taskId", at, kind, agent, generation, detail';
