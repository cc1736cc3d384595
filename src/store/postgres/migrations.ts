import type { Migration } from '../sqlite/migrations.js';

/**
 * The PostgreSQL schema: the same ordered, append-only list as SQLite's (same names, in
 * the same order), in PostgreSQL's dialect. Times are epoch milliseconds in BIGINT
 * columns; `row_seq` gives runs a stable insertion order (SQLite's rowid).
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    name: '0001_runs_steps_signals',
    sql: `
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        row_seq BIGINT GENERATED ALWAYS AS IDENTITY,
        workflow TEXT NOT NULL,
        input TEXT,
        status TEXT NOT NULL,
        output TEXT,
        error TEXT,
        owner_id TEXT,
        epoch BIGINT NOT NULL DEFAULT 0,
        wake_at BIGINT,
        parent_id TEXT,
        deadline_at BIGINT,
        cancel_requested BOOLEAN NOT NULL DEFAULT false,
        generation INTEGER NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        finished_at BIGINT
      );
      CREATE INDEX runs_claimable ON runs (status, wake_at) WHERE status IN ('pending', 'running', 'waiting');
      CREATE INDEX runs_owner ON runs (owner_id) WHERE owner_id IS NOT NULL;
      CREATE INDEX runs_parent ON runs (parent_id) WHERE parent_id IS NOT NULL;
      CREATE INDEX runs_created ON runs (created_at, row_seq);

      CREATE TABLE steps (
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        output TEXT,
        error TEXT,
        attempts INTEGER NOT NULL,
        started_at BIGINT NOT NULL,
        finished_at BIGINT,
        PRIMARY KEY (run_id, seq)
      );

      CREATE TABLE attempts (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        generation INTEGER NOT NULL,
        attempt INTEGER NOT NULL,
        started_at BIGINT NOT NULL,
        finished_at BIGINT NOT NULL,
        error TEXT NOT NULL
      );
      CREATE INDEX attempts_run ON attempts (run_id, generation, seq);

      CREATE TABLE signals (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        run_id TEXT NOT NULL,
        name TEXT NOT NULL,
        payload TEXT,
        sent_at BIGINT NOT NULL,
        consumed_at BIGINT
      );
      CREATE INDEX signals_pending ON signals (run_id, name, id) WHERE consumed_at IS NULL;

      CREATE TABLE workers (
        id TEXT PRIMARY KEY,
        lease_expires_at BIGINT NOT NULL,
        started_at BIGINT NOT NULL,
        heartbeat_at BIGINT NOT NULL
      );

      CREATE TABLE workflow_types (
        name TEXT PRIMARY KEY,
        registered_at BIGINT NOT NULL
      );
    `,
  },
  {
    name: '0002_leader_leases',
    sql: `
      CREATE TABLE leader_leases (
        name TEXT PRIMARY KEY,
        holder TEXT,
        token BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        acquired_at BIGINT NOT NULL,
        renewed_at BIGINT NOT NULL
      );

      CREATE TABLE leader_actions (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        lease_name TEXT NOT NULL,
        token BIGINT NOT NULL,
        action TEXT NOT NULL,
        payload TEXT,
        recorded_at BIGINT NOT NULL
      );
      CREATE INDEX leader_actions_lease ON leader_actions (lease_name, id);
    `,
  },
  {
    name: '0003_element_events',
    sql: `
      CREATE TABLE element_events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at BIGINT NOT NULL,
        element TEXT NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX element_events_element ON element_events (element, id);

      CREATE TABLE element_states (
        owner TEXT NOT NULL,
        instance TEXT NOT NULL,
        element TEXT NOT NULL,
        state TEXT NOT NULL,
        health TEXT NOT NULL,
        data TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (owner, instance)
      );
    `,
  },
  {
    name: '0004_knowledge',
    sql: `
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        element TEXT NOT NULL,
        symptom TEXT NOT NULL,
        status TEXT NOT NULL,
        summary TEXT NOT NULL,
        diagnosis TEXT,
        opened_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        resolved_at BIGINT
      );
      CREATE UNIQUE INDEX incidents_one_open_per_key ON incidents (key) WHERE status <> 'resolved';
      CREATE INDEX incidents_opened ON incidents (opened_at);

      CREATE TABLE incident_entries (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        incident_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL
      );
      CREATE INDEX incident_entries_incident ON incident_entries (incident_id, id);

      CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL,
        action TEXT NOT NULL,
        status TEXT NOT NULL,
        requested_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        decided_at BIGINT,
        decided_by TEXT,
        reason TEXT
      );

      CREATE TABLE config_versions (
        version BIGINT PRIMARY KEY,
        hash TEXT NOT NULL,
        text TEXT NOT NULL,
        applied_at BIGINT NOT NULL,
        status TEXT NOT NULL,
        source TEXT NOT NULL
      );

      CREATE TABLE audit_log (
        seq BIGINT PRIMARY KEY,
        at BIGINT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );

      CREATE TABLE outcome_stats (
        diagnosis TEXT NOT NULL,
        action TEXT NOT NULL,
        successes BIGINT NOT NULL,
        failures BIGINT NOT NULL,
        last_at BIGINT NOT NULL,
        PRIMARY KEY (diagnosis, action)
      );

      CREATE TABLE pauses (
        scope TEXT PRIMARY KEY,
        by TEXT NOT NULL,
        reason TEXT NOT NULL,
        paused_at BIGINT NOT NULL
      );

      CREATE TABLE guard_states (
        key TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        saved_at BIGINT NOT NULL
      );
    `,
  },
  {
    name: '0005_api_tokens',
    sql: `
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        salt TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        revoked_at BIGINT
      );
    `,
  },
  {
    // The loop reads an element's recent incidents on every diagnosis (fault classification):
    // without this index each read scans every incident ever opened.
    name: '0006_incidents_by_element',
    sql: `
      CREATE INDEX incidents_element_opened ON incidents (element, opened_at);
    `,
  },
  {
    // How an incident was resolved (a verified action, externally, or closed by an operator)
    // and who acknowledged it: "resolved" alone credited every recovery to the last action.
    name: '0007_incident_resolution',
    sql: `
      ALTER TABLE incidents ADD COLUMN resolution TEXT;
      ALTER TABLE incidents ADD COLUMN resolved_by TEXT;
      ALTER TABLE incidents ADD COLUMN acknowledged_at BIGINT;
      ALTER TABLE incidents ADD COLUMN acknowledged_by TEXT;
    `,
  },
  {
    // Followers' APIs send pushed metrics on to the leader's: the lease names where it listens.
    name: '0008_leader_api_url',
    sql: `
      ALTER TABLE leader_leases ADD COLUMN api_url TEXT;
    `,
  },
  {
    // Several `up` on one store: node liveness, followers' symptoms for the leader's loop,
    // and actions the leader asks a node's agent to take on that node's processes.
    name: '0009_nodes',
    sql: `
      CREATE TABLE nodes (
        name TEXT PRIMARY KEY,
        incarnation TEXT NOT NULL,
        started_at BIGINT NOT NULL,
        last_seen_at BIGINT NOT NULL
      );

      CREATE TABLE node_symptoms (
        id BIGSERIAL PRIMARY KEY,
        node TEXT NOT NULL,
        symptom TEXT NOT NULL,
        at BIGINT NOT NULL
      );

      CREATE TABLE node_actions (
        id TEXT PRIMARY KEY,
        node TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        status TEXT NOT NULL,
        requested_at BIGINT NOT NULL,
        claimed_by TEXT,
        claimed_at BIGINT,
        finished_at BIGINT,
        outcome TEXT
      );
      CREATE INDEX node_actions_pending ON node_actions (node, requested_at) WHERE status = 'pending';
    `,
  },
  {
    // An incident's current remediation run, as a reference the loop writes when it plans a
    // cycle (see RemediationReference): readers look the run up by it instead of building
    // run ids for cycles 0, 1, 2, … until one is missing. Incidents from before this
    // migration get theirs here, once, from their runs: remediation runs of an incident are
    // 'remediate:<key>:<incident>:<cycle>' with cycles 0..n, so there are n + 1 of them and
    // the current one is built from n. This is the only place that relies on that form.
    name: '0010_incident_remediation',
    sql: `
      ALTER TABLE incidents ADD COLUMN remediation_run_id TEXT;
      ALTER TABLE incidents ADD COLUMN remediation_cycle INTEGER;
      -- starts_with, not a range: a range on text follows the database's collation, which may not order ':' before ';'.
      UPDATE incidents SET remediation_cycle = counted.runs - 1, remediation_run_id = 'remediate:' || incidents.key || ':' || incidents.id || ':' || (counted.runs - 1)
      FROM (
        SELECT i.id, COUNT(*) AS runs FROM incidents i JOIN runs r
          ON starts_with(r.id, 'remediate:' || i.key || ':' || i.id || ':') AND r.workflow = 'homeostat.remediate' AND r.parent_id IS NULL
        GROUP BY i.id
      ) counted
      WHERE counted.id = incidents.id;
    `,
  },
  {
    // Model steps (docs/model-steps.md): each attempt, reserved at its worst case before the
    // call and settled with its real use after; the rows are also the budget ledger.
    name: '0011_model_attempts',
    sql: `
      CREATE TABLE model_attempts (
        id BIGSERIAL PRIMARY KEY,
        run_id TEXT NOT NULL,
        workflow TEXT NOT NULL,
        step_seq INTEGER NOT NULL,
        step TEXT NOT NULL,
        step_attempt INTEGER NOT NULL,
        call_attempt INTEGER NOT NULL,
        day TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt_hash TEXT NOT NULL,
        status TEXT NOT NULL,
        reserved_tokens BIGINT NOT NULL,
        reserved_cost_micros BIGINT NOT NULL,
        outcome TEXT,
        tokens_in BIGINT NOT NULL DEFAULT 0,
        tokens_out BIGINT NOT NULL DEFAULT 0,
        cost_micros BIGINT NOT NULL DEFAULT 0,
        latency_ms BIGINT,
        started_at BIGINT NOT NULL,
        finished_at BIGINT,
        error TEXT,
        validation_errors TEXT,
        reply TEXT
      );
      CREATE INDEX model_attempts_call ON model_attempts (run_id, step_seq);
      CREATE INDEX model_attempts_day ON model_attempts (day, workflow);
    `,
  },
  {
    // The trace a run belongs to (W3C traceparent/tracestate of the span that started it):
    // its executions on other workers, after a restart or a redrive continue that trace.
    name: '0012_run_trace_context',
    sql: `
      ALTER TABLE runs ADD COLUMN traceparent TEXT;
      ALTER TABLE runs ADD COLUMN tracestate TEXT;
    `,
  },
  {
    // Model providers as loop elements (docs/model-steps.md): whether each is drained, in the
    // store so that every worker process sees the loop's drain, not only the controller; and
    // the settled attempts by finish time, which the controller reads as per-provider series.
    name: '0013_model_provider_states',
    sql: `
      CREATE TABLE model_provider_states (
        provider TEXT PRIMARY KEY,
        drained INTEGER NOT NULL,
        max_concurrency INTEGER,
        reason TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        changed_at BIGINT NOT NULL
      );
      CREATE INDEX model_attempts_finished ON model_attempts (finished_at);
    `,
  },
  {
    // Agents (docs/agents.md): the registry, every capability ever registered (what the
    // unknown-capability check reads), tasks dispatched by capability under fenced leases,
    // and each task's history.
    name: '0014_agents',
    sql: `
      CREATE TABLE agents (
        name TEXT PRIMARY KEY,
        capabilities TEXT NOT NULL,
        version TEXT NOT NULL,
        capacity INTEGER NOT NULL,
        owner TEXT NOT NULL,
        heartbeat_ms BIGINT NOT NULL,
        token_id TEXT NOT NULL,
        registered_at BIGINT NOT NULL,
        last_heartbeat_at BIGINT NOT NULL
      );
      CREATE TABLE agent_capabilities (
        capability TEXT NOT NULL,
        agent TEXT NOT NULL,
        first_at BIGINT NOT NULL,
        PRIMARY KEY (capability, agent)
      );
      CREATE TABLE agent_tasks (
        id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        name TEXT NOT NULL,
        capability TEXT NOT NULL,
        input TEXT NOT NULL,
        status TEXT NOT NULL,
        agent TEXT,
        generation INTEGER NOT NULL DEFAULT 0,
        lease_ms BIGINT NOT NULL,
        lease_expires_at BIGINT,
        lapses INTEGER NOT NULL DEFAULT 0,
        max_lapses INTEGER NOT NULL,
        result TEXT,
        error TEXT,
        created_at BIGINT NOT NULL,
        finished_at BIGINT
      );
      CREATE INDEX agent_tasks_queue ON agent_tasks (status, capability, created_at);
      CREATE INDEX agent_tasks_agent ON agent_tasks (agent, status);
      CREATE INDEX agent_tasks_run ON agent_tasks (run_id);
      CREATE TABLE agent_task_events (
        id BIGSERIAL PRIMARY KEY,
        task_id TEXT NOT NULL,
        at BIGINT NOT NULL,
        kind TEXT NOT NULL,
        agent TEXT,
        generation INTEGER NOT NULL,
        detail TEXT
      );
      CREATE INDEX agent_task_events_task ON agent_task_events (task_id, id);
    `,
  },
  {
    // Running totals of the day budgets (docs/model-steps.md#budgets): each (UTC day, scope)
    // keeps what model_attempts would sum to — settled use + open reservations — updated in
    // the same transaction as every reserve, settle and release, so a reservation under
    // perWorkflowPerDay / globalPerDay reads one row instead of the whole day's attempts.
    // workflow is '' for the global scope. Filled from the attempts already recorded.
    name: '0015_model_budget_totals',
    sql: `
      CREATE TABLE model_budget_totals (
        day TEXT NOT NULL,
        workflow TEXT NOT NULL,
        tokens BIGINT NOT NULL,
        cost_micros BIGINT NOT NULL,
        PRIMARY KEY (day, workflow)
      );
      INSERT INTO model_budget_totals (day, workflow, tokens, cost_micros)
        SELECT day, workflow,
          SUM(CASE status WHEN 'settled' THEN tokens_in + tokens_out WHEN 'reserved' THEN reserved_tokens ELSE 0 END),
          SUM(CASE status WHEN 'settled' THEN cost_micros WHEN 'reserved' THEN reserved_cost_micros ELSE 0 END)
        FROM model_attempts GROUP BY day, workflow;
      INSERT INTO model_budget_totals (day, workflow, tokens, cost_micros)
        SELECT day, '',
          SUM(CASE status WHEN 'settled' THEN tokens_in + tokens_out WHEN 'reserved' THEN reserved_tokens ELSE 0 END),
          SUM(CASE status WHEN 'settled' THEN cost_micros WHEN 'reserved' THEN reserved_cost_micros ELSE 0 END)
        FROM model_attempts GROUP BY day;
    `,
  },
  {
    // Quorum for byzantine outputs and quarantine (docs/agents.md#quorum): a task's
    // sub-tasks name their quorum (no agent may take two of one quorum), each quorum's
    // decision and every vote in it (what reliability is computed from), and which agents
    // the loop quarantined (in the store, so every dispatcher honours it).
    name: '0016_agent_quorum',
    sql: `
      ALTER TABLE agent_tasks ADD COLUMN quorum_id TEXT;
      CREATE INDEX agent_tasks_quorum ON agent_tasks (quorum_id, agent);
      CREATE TABLE agent_quorums (
        id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        name TEXT NOT NULL,
        capability TEXT,
        n INTEGER NOT NULL,
        k INTEGER NOT NULL,
        comparator TEXT NOT NULL,
        status TEXT NOT NULL,
        answer TEXT,
        detail TEXT,
        created_at BIGINT NOT NULL,
        decided_at BIGINT
      );
      CREATE INDEX agent_quorums_run ON agent_quorums (run_id);
      CREATE TABLE agent_quorum_votes (
        quorum_id TEXT NOT NULL,
        voter TEXT NOT NULL,
        task_id TEXT,
        agreed INTEGER NOT NULL,
        answer TEXT,
        at BIGINT NOT NULL,
        PRIMARY KEY (quorum_id, voter)
      );
      CREATE INDEX agent_quorum_votes_voter ON agent_quorum_votes (voter, at);
      CREATE TABLE agent_quarantines (
        agent TEXT PRIMARY KEY,
        quarantined INTEGER NOT NULL,
        reason TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        changed_at BIGINT NOT NULL
      );
    `,
  },
  {
    // Task graphs (docs/agents.md): the inbox of tasks a graph routed to a person or role.
    // The graphs themselves need no table: their definition, expansions and waves are steps
    // of the run, and their agent tasks are rows of agent_tasks.
    name: '0017_task_graphs',
    sql: `
      CREATE TABLE human_tasks (
        id TEXT PRIMARY KEY,
        run_id TEXT NOT NULL,
        task TEXT NOT NULL,
        assignee TEXT NOT NULL,
        input TEXT NOT NULL,
        status TEXT NOT NULL,
        due_at BIGINT,
        result TEXT,
        completed_by TEXT,
        created_at BIGINT NOT NULL,
        finished_at BIGINT
      );
      CREATE INDEX human_tasks_inbox ON human_tasks (status, assignee, created_at);
      CREATE INDEX human_tasks_run ON human_tasks (run_id);
    `,
  },
  {
    // An agent retired by the loop's `replace` rung (docs/agents.md#restart-and-replace): it claims nothing
    // again; with a process homeostat runs, only its registration up to `registered_at` is
    // fenced, and the fresh process's registration claims again. `tasks`: the task ids it held,
    // requeued at once, which verification watches until live agents own them.
    name: '0018_agent_retirements',
    sql: `
      CREATE TABLE agent_retirements (
        agent TEXT PRIMARY KEY,
        registered_at BIGINT NOT NULL,
        fresh_allowed INTEGER NOT NULL,
        tasks TEXT NOT NULL,
        reason TEXT NOT NULL,
        retired_by TEXT NOT NULL,
        retired_at BIGINT NOT NULL
      );
    `,
  },
  {
    // The model attempts ledger, lighter per attempt, as on SQLite (docs/model-steps.md):
    // model_attempts_day dropped (no query reads it since the day budgets read their running
    // totals, 0015; each reserve still wrote an entry into it) and model_attempts_finished
    // only over finished attempts (a reservation no longer writes an entry; its one reader
    // asks for finished_at >= a time). The id stays BIGSERIAL: a sequence is not part of the
    // transaction's writes here, unlike SQLite's AUTOINCREMENT, which that side drops.
    name: '0019_model_attempts_lighter',
    sql: `
      DROP INDEX model_attempts_day;
      DROP INDEX model_attempts_finished;
      CREATE INDEX model_attempts_finished ON model_attempts (finished_at) WHERE finished_at IS NOT NULL;
    `,
  },
];
