import { TERMINAL_RUN_STATUSES_SQL } from '../sql/sql-lists.js';

/**
 * The PostgreSQL store's statements. Conventions:
 * - A fenced write locks the run row `FOR SHARE` in a CTE whose condition is the epoch,
 *   so a concurrent claim (which updates that row) is ordered before or after it, never
 *   interleaved: under READ COMMITTED the lock re-checks the epoch on the newest version.
 * - Whoever wakes a run (signal, finishing child, cancel) updates the run row
 *   unconditionally, taking its lock, so it is ordered against `suspendRun`.
 * - `pg_notify` calls ride in the same statement; PostgreSQL delivers them at commit.
 * - `set_config('synchronous_commit', $n, true)` lets checkpoints skip the WAL flush in
 *   durability `normal` (the setting lasts for this statement's transaction only).
 */


export const CREATE_RUN = `
  WITH created AS (
    INSERT INTO runs (id, workflow, input, status, owner_id, epoch, parent_id, deadline_at, created_at, updated_at, traceparent, tracestate)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $11, $12)
    ON CONFLICT (id) DO NOTHING
    RETURNING *)
  SELECT created.*, CASE WHEN created.owner_id IS NULL THEN pg_notify($10, '') END AS notified FROM created`;

export const REGISTER_WORKFLOWS = `
  INSERT INTO workflow_types (name, registered_at) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`;

export const HEARTBEAT = `
  WITH durability AS (SELECT set_config('synchronous_commit', $4, true)),
  beat AS (
    INSERT INTO workers (id, lease_expires_at, started_at, heartbeat_at)
    SELECT $1, $2, $3, $3 FROM durability
    ON CONFLICT (id) DO UPDATE SET lease_expires_at = excluded.lease_expires_at, heartbeat_at = excluded.heartbeat_at)
  SELECT id FROM runs WHERE owner_id = $1 AND cancel_requested AND status = 'running'`;

export const RELEASE_WORKER = `
  WITH released AS (
    UPDATE runs SET owner_id = NULL, status = CASE WHEN status = 'running' THEN 'pending' ELSE status END,
      epoch = epoch + 1, updated_at = $2
    WHERE owner_id = $1 AND status IN ('running', 'pending')
    RETURNING id),
  gone AS (DELETE FROM workers WHERE id = $1)
  SELECT count(*) AS released, CASE WHEN count(*) > 0 THEN pg_notify($3, '') END AS notified FROM released`;

/**
 * The owner's liveness is a subquery, not a join: when a row was claimed by someone else
 * between this statement's snapshot and its lock, PostgreSQL re-checks the condition on
 * the new row version, and a subquery is re-run for the new owner where a LEFT JOIN
 * would reuse the old (NULL) owner row and claim the run twice. A claimer whose own lease
 * has lapsed takes nothing (see Store.claimRuns).
 */
export const CLAIM_RUNS = `
  WITH candidates AS (
    SELECT r.id FROM runs r
    WHERE r.workflow = ANY($2::text[])
      AND EXISTS (SELECT 1 FROM workers me WHERE me.id = $1 AND me.lease_expires_at >= $4)
      AND r.status IN ('pending', 'running', 'waiting')
      AND (
        (r.status IN ('pending', 'running')
          AND NOT EXISTS (SELECT 1 FROM workers w WHERE w.id = r.owner_id AND w.lease_expires_at >= $4))
        OR (r.status = 'waiting' AND r.wake_at IS NOT NULL AND r.wake_at <= $4)
      )
    ORDER BY r.created_at, r.row_seq
    LIMIT $3
    FOR UPDATE SKIP LOCKED)
  UPDATE runs SET owner_id = $1, epoch = runs.epoch + 1, status = 'running', wake_at = NULL, updated_at = $4
  FROM candidates WHERE runs.id = candidates.id
  RETURNING runs.*`;

export const NEXT_WAKE = `
  SELECT MIN(wake_at) AS wake FROM runs
  WHERE status = 'waiting' AND wake_at IS NOT NULL AND workflow = ANY($1::text[])`;

export const LOAD_HISTORY = `
  SELECT
    (SELECT coalesce(json_agg(s ORDER BY s.seq), '[]'::json) FROM steps s WHERE s.run_id = $1) AS steps,
    (SELECT coalesce(json_agg(json_build_array(a.seq, a.n)), '[]'::json)
       FROM (SELECT seq, count(*) AS n FROM attempts WHERE run_id = $1 AND generation = $2 GROUP BY seq) a) AS attempts`;

/** $1 run, $2 epoch, $3..$11 the step, $12 synchronous_commit. */
export const SAVE_STEP = `
  WITH fence AS (SELECT 1 FROM runs WHERE id = $1 AND epoch = $2 FOR SHARE),
  durability AS (SELECT set_config('synchronous_commit', $12, true))
  INSERT INTO steps (run_id, seq, name, kind, status, output, error, attempts, started_at, finished_at)
  SELECT $1, $3, $4, $5, $6, $7, $8, $9, $10, $11 FROM fence, durability
  ON CONFLICT (run_id, seq) DO UPDATE SET status = excluded.status, output = excluded.output,
    error = excluded.error, attempts = excluded.attempts, finished_at = excluded.finished_at
  WHERE steps.status = 'waiting'`;

export const RECORD_ATTEMPT = `
  WITH fence AS (SELECT 1 FROM runs WHERE id = $1 AND epoch = $2 FOR SHARE),
  durability AS (SELECT set_config('synchronous_commit', $9, true))
  INSERT INTO attempts (run_id, seq, generation, attempt, started_at, finished_at, error)
  SELECT $1, $3, $4, $5, $6, $7, $8 FROM fence, durability`;

/**
 * Runs after the run row is locked; a new statement, so it sees every committed wake-up.
 * A cancellation requested meanwhile is a wake condition too (the owner may have missed it).
 */
export const SUSPEND_RUN = `
  WITH due AS (
    SELECT CASE
      WHEN EXISTS (SELECT 1 FROM signals WHERE run_id = $1 AND name = ANY($3::text[]) AND consumed_at IS NULL)
        OR EXISTS (SELECT 1 FROM runs WHERE id = ANY($4::text[]) AND status IN ${TERMINAL_RUN_STATUSES_SQL})
        -- a cancel requested while the run executed (REQUEST_CANCEL only wakes waiting runs)
        OR EXISTS (SELECT 1 FROM runs WHERE id = $1 AND cancel_requested)
        OR (SELECT cancel_requested FROM runs WHERE id = $1)
      THEN $5::bigint ELSE $2::bigint END AS wake_at),
  suspended AS (
    UPDATE runs SET status = 'waiting', owner_id = NULL, wake_at = due.wake_at, updated_at = $5
    FROM due WHERE runs.id = $1
    RETURNING runs.wake_at)
  SELECT CASE WHEN wake_at <= $5 THEN pg_notify($6, '') END AS notified FROM suspended`;

export const FINISH_RUN = `
  WITH finished AS (
    UPDATE runs SET status = $3, output = $4, error = $5, owner_id = NULL, wake_at = NULL, updated_at = $6, finished_at = $6
    WHERE id = $1 AND epoch = $2
    RETURNING parent_id),
  parent AS (
    UPDATE runs p SET updated_at = $6, wake_at = CASE WHEN p.status = 'waiting' THEN $6 ELSE p.wake_at END
    FROM finished WHERE p.id = finished.parent_id
    RETURNING p.status)
  SELECT (SELECT count(*) FROM finished) AS finished,
    (SELECT CASE WHEN bool_or(status = 'waiting') THEN pg_notify($7, '') END FROM parent) AS notified`;

export const SEND_SIGNAL = `
  WITH target AS (SELECT id FROM runs WHERE id = $1),
  inserted AS (
    INSERT INTO signals (run_id, name, payload, sent_at) SELECT id, $2, $3, $4 FROM target RETURNING run_id),
  woken AS (
    UPDATE runs SET updated_at = $4, wake_at = CASE WHEN status = 'waiting' THEN $4 ELSE wake_at END
    WHERE id IN (SELECT run_id FROM inserted)
    RETURNING status)
  SELECT (SELECT count(*) FROM inserted) AS inserted,
    (SELECT CASE WHEN bool_or(status = 'waiting') THEN pg_notify($5, '') END FROM woken) AS notified`;

export const OLDEST_SIGNAL = `
  SELECT id, payload FROM signals WHERE run_id = $1 AND name = $2 AND consumed_at IS NULL
  ORDER BY id LIMIT 1 FOR UPDATE`;

export const CANCEL_UNSTARTED = `
  UPDATE runs SET status = 'cancelled', updated_at = $2, finished_at = $2, epoch = epoch + 1, error = $3, owner_id = NULL
  WHERE id = $1 AND status = 'pending' AND owner_id IS NULL
    AND NOT EXISTS (SELECT 1 FROM steps WHERE run_id = $1)`;

export const REQUEST_CANCEL = `
  WITH cancelled AS (
    UPDATE runs SET cancel_requested = true, updated_at = $2,
      wake_at = CASE WHEN status = 'waiting' THEN $2 ELSE wake_at END
    WHERE id = $1 AND status IN ('pending', 'running', 'waiting')
    RETURNING status)
  SELECT CASE WHEN bool_or(status = 'waiting') THEN pg_notify($3, '') END AS notified FROM cancelled`;

export const REDRIVE = `
  WITH redriven AS (
    UPDATE runs SET status = 'pending', output = NULL, error = NULL, owner_id = NULL, wake_at = NULL,
      cancel_requested = false, epoch = epoch + 1, generation = generation + 1, updated_at = $2, finished_at = NULL
    WHERE id = $1
    RETURNING *)
  SELECT redriven.*, pg_notify($3, '') AS notified FROM redriven`;
