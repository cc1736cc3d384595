/** The columns of a `NodeActionRecord`, in both stores' SQL (`node_actions`, migration 0009_nodes). */
export const NODE_ACTION_COLUMNS =
  'id, node, incident_id AS "incidentId", action, target, status, requested_at AS "requestedAt", claimed_by AS "claimedBy", claimed_at AS "claimedAt", finished_at AS "finishedAt", outcome';

/** The columns of a `NodeRecord` (`nodes`). */
export const NODE_COLUMNS = 'name, incarnation, started_at AS "startedAt", last_seen_at AS "lastSeenAt"';
