/**
 * The registry of every error code homeostat throws: one entry per `HS_*` code with what it
 * means, whether retrying may help, the HTTP status the API answers it with, and what to do.
 * docs/errors.md is generated from it (`npm run docs:errors`), and a test checks both ways
 * that every code the source uses is here and every code here is used.
 *
 * Codes are never reused or renamed: clients match on them.
 *
 * `httpStatus` is what the API answers when an operation fails with the code. 500 means the
 * API does not expose it: the answer is `HS_API_INTERNAL` and the server log has the error.
 */

/** The part of homeostat a code belongs to: its section of docs/errors.md. */
export type ErrorSection = 'general' | 'workflow' | 'store' | 'postgres' | 'cli' | 'config' | 'supervisor' | 'resilience' | 'analysis' | 'audit' | 'monitor' | 'api';

export interface ErrorCodeEntry {
  readonly section: ErrorSection;
  /** The default of the error's `retryable` flag. */
  readonly retryable: boolean;
  readonly httpStatus: number;
  /** When it is thrown, in the words of docs/errors.md (Markdown). */
  readonly meaning: string;
  /** What the reader does about it (Markdown). */
  readonly whatToDo: string;
}

export const ERROR_CODES = {
  HS_ABORTED: {
    section: 'general',
    retryable: false,
    httpStatus: 500,
    meaning: 'An operation was aborted through its `AbortSignal` without a reason of its own.',
    whatToDo: 'Nothing, if you aborted it; otherwise find who aborted the signal.',
  },
  HS_INVALID_DURATION: {
    section: 'general',
    retryable: false,
    httpStatus: 400,
    meaning: 'A duration is neither a number of milliseconds nor text like `500ms`, `10s`, `5m`, `1h`, `1d`, or is longer than 10 years (`3650d`). The API answers it with 400.',
    whatToDo: 'Fix the value named in the message.',
  },
  HS_INVALID_WORKFLOW: {
    section: 'workflow',
    retryable: false,
    httpStatus: 400,
    meaning: '`defineWorkflow` got an empty name, a name with spaces or no function, or two different workflows share a name.',
    whatToDo: 'Give each workflow a unique name without spaces.',
  },
  HS_INTERNAL_WORKFLOW: {
    section: 'workflow',
    retryable: false,
    httpStatus: 403,
    meaning: '403 in the API: a start, signal, cancel or redrive of a workflow named `homeostat.*` (the remediation workflow) through the API or the CLI. Only the controller starts and steers those runs; their ladders come from the applied config.',
    whatToDo: 'Answer approvals with `homeostat approve`/`deny`, stop remediation with `homeostat pause`, change what it does in the config.',
  },
  HS_UNKNOWN_WORKFLOW: {
    section: 'workflow',
    retryable: false,
    httpStatus: 404,
    meaning: 'A run was started for a workflow no worker has registered. The message lists the known ones.',
    whatToDo: 'Check the name; start a worker that exports the workflow first.',
  },
  HS_INVALID_INPUT: {
    section: 'workflow',
    retryable: false,
    httpStatus: 400,
    meaning: 'Input given as text (CLI `--input`, `--payload`, API) is not valid JSON, or a redrive step does not exist.',
    whatToDo: 'Fix the JSON or the step reference.',
  },
  HS_PAYLOAD_TOO_LARGE: {
    section: 'workflow',
    retryable: false,
    httpStatus: 413,
    meaning: 'An input, step result, output or signal is over the payload limit (default 1 MiB). The step fails at once, without retries.',
    whatToDo: 'Store large data elsewhere and pass a reference, or raise `maxPayloadBytes`.',
  },
  HS_UNSERIALIZABLE: {
    section: 'workflow',
    retryable: false,
    httpStatus: 400,
    meaning: 'A value cannot be stored as JSON (a function, a BigInt, a cycle).',
    whatToDo: 'Return plain data from steps.',
  },
  HS_STEP_FAILED: {
    section: 'workflow',
    retryable: false,
    httpStatus: 500,
    meaning: 'A step failed terminally (retries exhausted or a non-retryable error). Thrown identically on first run and replay. `causeCode`/`causeMessage` say why.',
    whatToDo: 'Catch it in the workflow to fall back, or let the run fail into the dead-letter queue and redrive after a fix.',
  },
  HS_DETERMINISM: {
    section: 'workflow',
    retryable: false,
    httpStatus: 500,
    meaning: 'The workflow code no longer matches the run\'s recorded history (a step renamed, removed or reordered). The run is parked, nothing re-executed.',
    whatToDo: 'Deploy code that matches the history, or redrive from an earlier step.',
  },
  HS_CANCELLED: {
    section: 'workflow',
    retryable: false,
    httpStatus: 500,
    meaning: 'The run was cancelled; thrown at its next durable operation. Compensations run after it.',
    whatToDo: 'Nothing; catch it only to clean up.',
  },
  HS_WORKFLOW_TIMEOUT: {
    section: 'workflow',
    retryable: false,
    httpStatus: 500,
    meaning: 'The whole run exceeded its workflow `timeout`. Compensations run after it.',
    whatToDo: 'Raise the timeout or find the slow step in `runs show`.',
  },
  HS_SIGNAL_TIMEOUT: {
    section: 'workflow',
    retryable: false,
    httpStatus: 500,
    meaning: 'Recorded on a `waitForSignal` entry whose timeout passed; `waitForSignal` then resolves to `undefined`.',
    whatToDo: 'Decide in the workflow (e.g. deny by default).',
  },
  HS_CHILD_FAILED: {
    section: 'workflow',
    retryable: false,
    httpStatus: 500,
    meaning: 'A child workflow failed or was cancelled.',
    whatToDo: 'Inspect the child run; catch to fall back.',
  },
  HS_COMPENSATION_FAILED: {
    section: 'workflow',
    retryable: false,
    httpStatus: 500,
    meaning: 'At least one compensation failed terminally, so the saga could not undo everything.',
    whatToDo: 'Undo by hand what the message lists; fix the compensation.',
  },
  HS_RUN_FAILED: {
    section: 'workflow',
    retryable: false,
    httpStatus: 500,
    meaning: '`result()` of a run that ended failed or parked.',
    whatToDo: 'Look at the run\'s error and history (`homeostat runs show`).',
  },
  HS_EXECUTION_HALTED: {
    section: 'workflow',
    retryable: false,
    httpStatus: 500,
    meaning: 'One execution of a run stopped (its worker lost the run, is handing it back, or parked it); the run goes on elsewhere. Steps see it as their signal\'s abort reason.',
    whatToDo: 'Nothing: stop the step\'s work when its signal aborts.',
  },
  HS_FENCED: {
    section: 'store',
    retryable: false,
    httpStatus: 500,
    meaning: 'A checkpoint write was refused because another worker claimed the run since (its epoch moved on). The writer drops the run.',
    whatToDo: 'Nothing: this is the fence doing its job after a takeover. Frequent ones mean leases are too short for your event-loop stalls.',
  },
  HS_STORE_CORRUPT: {
    section: 'store',
    retryable: false,
    httpStatus: 503,
    meaning: 'The store file is not an SQLite database, or is corrupt: refused at open (an integrity check, `PRAGMA quick_check`, runs at every open and names the file and the first problems), or a damaged page met while running (`SQLITE_CORRUPT`).',
    whatToDo: 'Point `--store`/`HOMEOSTAT_STORE` at the right file, or restore it from a backup, or move it aside to start empty.',
  },
  HS_STORE_FULL: {
    section: 'store',
    retryable: true,
    httpStatus: 503,
    meaning: 'The store\'s filesystem is full (`SQLITE_FULL`): the write was refused and nothing of it applied. Reads still work. `homeostat up` says it once, sets `homeostat_store_degraded{fault="full"}`, keeps supervising and probing, and writes resume by themselves once space is freed. The API answers 503.',
    whatToDo: 'Free space on the filesystem of the state dir.',
  },
  HS_STORE_LOST: {
    section: 'store',
    retryable: false,
    httpStatus: 503,
    meaning: 'The store\'s file was deleted or replaced while in use (its device and inode are checked every 2 s). SQLite would keep writing into the unlinked file, which no other process sees and which vanishes at exit, so every later read and write fails instead. What the unlinked file still held is saved first to `<file>.rescued-<time>` (mode 0600; the message names it). `up` says it once, sets `homeostat_store_degraded{fault="lost"}` and keeps supervising (nothing more is recorded). The API answers 503.',
    whatToDo: 'Restart `homeostat up` (a new store), or restore the file and restart.',
  },
  HS_STORE_IO: {
    section: 'store',
    retryable: true,
    httpStatus: 503,
    meaning: 'A disk I/O error from SQLite (`SQLITE_IOERR*`). Clears on the next successful write. The API answers 503.',
    whatToDo: 'Check the disk (`dmesg`).',
  },
  HS_STORE_URL: {
    section: 'store',
    retryable: false,
    httpStatus: 500,
    meaning: 'The store URL is not one homeostat understands.',
    whatToDo: 'Use `sqlite:<path>` (optionally `?durability=full`) or `postgres://user@host:5432/db` (optionally `?schema=…&durability=full&pool=…`).',
  },
  HS_STORE_OPEN: {
    section: 'store',
    retryable: false,
    httpStatus: 500,
    meaning: 'The store could not be opened (permissions, missing folder, locked).',
    whatToDo: 'Read the cause in the message.',
  },
  HS_RUN_NOT_FOUND: {
    section: 'store',
    retryable: false,
    httpStatus: 404,
    meaning: 'No run has this id.',
    whatToDo: 'Check the id (`homeostat runs list`).',
  },
  HS_INVALID_RUN_STATE: {
    section: 'store',
    retryable: false,
    httpStatus: 409,
    meaning: 'The operation does not fit the run\'s state (e.g. redrive of a completed run).',
    whatToDo: 'Check the run\'s status first.',
  },
  HS_STORE_UNAVAILABLE: {
    section: 'postgres',
    retryable: true,
    httpStatus: 503,
    meaning: 'The database could not be reached, a connection broke mid-call (killed backend, restart, network), or the server restarted since a run\'s history was loaded. Nothing was half-written; the engine hands the run back and retries it from its recorded history.',
    whatToDo: 'Nothing if it passes; if it persists, check the server and the URL (`worker-error` events say which call failed).',
  },
  HS_NOT_LEADER: {
    section: 'postgres',
    retryable: false,
    httpStatus: 500,
    meaning: 'An action carried the fencing token of a leader term that is over: another process became leader (this one was paused, cut off, or its lease lapsed). Nothing was recorded.',
    whatToDo: 'Nothing: the current leader acts. Frequent ones mean the leader lease is too short for your pauses.',
  },
  HS_USAGE: {
    section: 'cli',
    retryable: false,
    httpStatus: 500,
    meaning: 'The command was called wrongly; the CLI exits with status 2 and prints its usage.',
    whatToDo: 'Follow the usage line.',
  },
  HS_INCIDENT_NOT_FOUND: {
    section: 'cli',
    retryable: false,
    httpStatus: 404,
    meaning: '`homeostat incident show` got an id no incident has.',
    whatToDo: '`homeostat incidents --all` lists them.',
  },
  HS_INCIDENT_RESOLVED: {
    section: 'cli',
    retryable: false,
    httpStatus: 409,
    meaning: '`homeostat incident ack`/`close` (or their API routes, 409) named an incident that is already resolved — by an action that healed it, externally, or by an operator who closed it first. Nothing changed.',
    whatToDo: 'Nothing; `incident note` still adds a post-mortem note; a new symptom opens a new incident.',
  },
  HS_INVALID_NOTE: {
    section: 'cli',
    retryable: false,
    httpStatus: 400,
    meaning: 'An incident note or a reason for closing is empty, or over 2 KiB (2 048 UTF-8 bytes); the API answers 400. Nothing was recorded.',
    whatToDo: 'Write a shorter note; link to a longer write-up.',
  },
  HS_APPROVAL_NOT_FOUND: {
    section: 'cli',
    retryable: false,
    httpStatus: 404,
    meaning: '`homeostat approve`/`deny` found no pending approval for the incident or approval id (never requested, or already expired and denied).',
    whatToDo: '`homeostat incident show <id>` says what the incident waits for.',
  },
  HS_APPROVAL_DECIDED: {
    section: 'cli',
    retryable: false,
    httpStatus: 409,
    meaning: 'The approval was already approved, denied or expired (by someone else, or by the TTL\'s default deny). Nothing changed.',
    whatToDo: 'Nothing; a new incident asks again.',
  },
  HS_CLI_API_UNREACHABLE: {
    section: 'cli',
    retryable: true,
    httpStatus: 500,
    meaning: 'The CLI could not reach the API it was using: the server named by `--api` does not answer, or the discovered `homeostat up` stopped answering during a change (approve, pause, start, …). The message says whether the change was NOT done (the connection was refused) or may have been (the request was sent). Reads of a discovered server fall back to the store instead.',
    whatToDo: 'Check (`homeostat incidents`, `runs show`, `audit`…) before repeating a change; once that `up` is gone the CLI uses the store.',
  },
  HS_CLI_API_BAD_ANSWER: {
    section: 'cli',
    retryable: false,
    httpStatus: 500,
    meaning: '`--api` points at something that answered, but not with homeostat\'s JSON (another server on that port, a proxy\'s error page).',
    whatToDo: 'Check the URL: `homeostat up` prints it ("API at …").',
  },
  HS_UP_ALREADY_RUNNING: {
    section: 'cli',
    retryable: false,
    httpStatus: 500,
    meaning: '`homeostat up` found the `api.json` of another `up` on the same state dir whose process is alive and whose API answers; two would supervise every service twice. Nothing was started.',
    whatToDo: 'Stop the other one, or give this config another `stateDir`.',
  },
  HS_CONFIG_NOT_FOUND: {
    section: 'config',
    retryable: false,
    httpStatus: 404,
    meaning: 'The config file (`-c`, default `homeostat.yaml`) could not be read.',
    whatToDo: 'Check the path; run from the folder that holds `homeostat.yaml` or pass `-c`.',
  },
  HS_CONFIG_SYNTAX: {
    section: 'config',
    retryable: false,
    httpStatus: 400,
    meaning: 'The file is not valid YAML (bad indentation, duplicate keys …). Each problem is printed as `file:line:column: YAML: …`.',
    whatToDo: 'Fix the YAML at the line given.',
  },
  HS_CONFIG_NEEDS_RESTART: {
    section: 'config',
    retryable: false,
    httpStatus: 409,
    meaning: '409 in the API: a config version applied to a running `homeostat up` (file change, `POST /api/config/apply`) changes keys read only at start-up: `stateDir`, `store`, `heartbeat`, `resources`, `api`, `alerts`, `monitor.retention`, `monitor.maxSeries`, `monitor.metricsPort`, `monitor.configGoodAfter`. Nothing of it was applied or recorded; the message names the keys. `config plan` lists them as `needsRestart`.',
    whatToDo: 'Restart `up` with the new file, or apply it without changing those keys.',
  },
  HS_CONFIG_INVALID: {
    section: 'config',
    retryable: false,
    httpStatus: 400,
    meaning: 'The YAML does not match the homeostat schema. Every problem is listed as `file:line:column: field.path: what was expected` (unknown fields, wrong types, durations like `soon`, a standby that is not a service, unknown `{{placeholders}}`, a `dependsOn` name that is not a service or that closes a cycle, an unknown detector or detector option in a `symptoms:` rule).',
    whatToDo: 'Fix each field named; nothing was started.',
  },
  HS_CONFIG_ALERT_SECRET_MISSING: {
    section: 'config',
    retryable: false,
    httpStatus: 500,
    meaning: '`alerts.secretEnv` names an environment variable that is unset or empty when `homeostat up` starts (or shorter than 16 characters): the alert receiver would accept a guessable secret. Nothing was started.',
    whatToDo: 'Export the variable with a long random secret (`openssl rand -hex 32`) before `homeostat up`, or remove `alerts.secretEnv` to accept operator tokens only.',
  },
  HS_CONFIG_TOO_LARGE: {
    section: 'config',
    retryable: false,
    httpStatus: 400,
    meaning: 'The config text is over 1 MiB (a file read by `up`, the CLI or the file watcher, or a posted config). Real configs are a few KB; the file is refused before it is read.',
    whatToDo: 'Shrink it: move large values out of `env:` (a file the service reads).',
  },
  HS_CONFIG_NOT_SPAWNABLE: {
    section: 'config',
    retryable: false,
    httpStatus: 400,
    meaning: 'The config is valid, but a process it would (re)start cannot be spawned as written: its `command` does not resolve to an executable file (a path with `/` is relative to the service\'s `cwd`, a bare name is looked up on the child\'s `PATH`), its `cwd` is missing or not a directory, an argument or `KEY=value` is over Linux\'s 131,072-byte limit for one string (MAX_ARG_STRLEN), all arguments and environment together are over the machine\'s ARG_MAX (`getconf ARG_MAX`), or a string holds a NUL byte. Each problem is listed as `file:line:column: field.path: instance: what`. Raised by `config plan` and by an apply (API or the watched file) before anything is recorded or stopped: the running processes are not touched (API: 400).',
    whatToDo: 'Fix each field named.',
  },
  HS_CONFIG_APPLY_FAILED: {
    section: 'config',
    retryable: false,
    httpStatus: 422,
    meaning: 'A config version passed every check but a process it changed still did not start (a shebang naming a missing interpreter, a file removed a moment ago, EACCES …). The supervisor put the previous specs back and restarted them; the version is marked `failed` (not applied), the previous one stays in force, the audit log has `config.apply-failed` with the reason and who applied it, and a `config-apply-failed` incident opens on each service concerned. API: 422.',
    whatToDo: 'Read the reason (incident, audit, `up`\'s output), fix the spec, apply again.',
  },
  HS_UNKNOWN_SERVICE: {
    section: 'supervisor',
    retryable: false,
    httpStatus: 500,
    meaning: 'A scale or restart named a service the supervisor does not run (not in the config, or an external `url:` service, which is never spawned). The message lists the supervised ones.',
    whatToDo: 'Use one of the names listed.',
  },
  HS_INVALID_REPLICAS: {
    section: 'supervisor',
    retryable: false,
    httpStatus: 400,
    meaning: 'A replica count is not a non-negative integer.',
    whatToDo: 'Pass 0 or more.',
  },
  HS_RELOAD_FAILED: {
    section: 'supervisor',
    retryable: false,
    httpStatus: 500,
    meaning: 'A supervisor reload could not start the new config: either the check before it found a process that cannot be spawned (nothing was stopped), or a new process did not start and the previous config was put back (the message says whether its processes started again). `up`\'s config manager reports it as `HS_CONFIG_APPLY_FAILED`.',
    whatToDo: 'As for `HS_CONFIG_APPLY_FAILED`.',
  },
  HS_FRONT_DOOR_UNAVAILABLE: {
    section: 'supervisor',
    retryable: false,
    httpStatus: 500,
    meaning: '`homeostat up` could not listen on a service\'s front door (`expose: { host, port }`): another program holds the port, or the host is not an address of this machine. `up` stops before it starts any process.',
    whatToDo: 'Free the port (`ss -ltnp`), or change `expose.port`/`expose.host` in the config.',
  },
  HS_ORPHAN_GUARD_DEGRADED: {
    section: 'supervisor',
    retryable: true,
    httpStatus: 500,
    meaning: 'Never thrown: a warning `homeostat up` logs and prints. The reaper (which stops supervised processes if `up` is killed) could not start or exited, or `<stateDir>/processes/` could not be written (a full disk; reported once per outage). Supervision goes on; a SIGKILL of `up` may now leave processes running until the next `up` on the same state dir stops them (or, with no ledger, not even then).',
    whatToDo: 'Free the disk or fix the state dir\'s permissions. A reaper that exited is replaced within 10 s (`up` then prints `orphan protection restored`); restarting `up` also gets a new one.',
  },
  HS_TIMEOUT: {
    section: 'resilience',
    retryable: true,
    httpStatus: 500,
    meaning: 'A call ran past the limit of a `timeout` policy (the message names the milliseconds). The callee\'s signal was aborted with this error.',
    whatToDo: 'Make the callee honour its `signal`; raise the limit, or let a surrounding retry try again.',
  },
  HS_TERMINAL: {
    section: 'resilience',
    retryable: false,
    httpStatus: 500,
    meaning: 'User code threw `TerminalError` to say retrying cannot help; retries stop at once and a circuit breaker does not count it.',
    whatToDo: 'Nothing to retry: fix the input or the cause named in the message.',
  },
  HS_BROKEN_CIRCUIT: {
    section: 'resilience',
    retryable: true,
    httpStatus: 500,
    meaning: 'A circuit breaker is open (or half-open with its probe slots taken) and refused the call without running it. `retryAfterMs` says when it admits a probe.',
    whatToDo: 'Serve a fallback, or retry after `retryAfterMs`; look at the dependency whose failures opened it (the `onStateChange` event names the reason).',
  },
  HS_BULKHEAD_REJECTED: {
    section: 'resilience',
    retryable: true,
    httpStatus: 500,
    meaning: 'A bulkhead had every slot busy and its queue full (`reason: \'full\'`), or a queued call waited `queueTimeoutMs` without a slot (`reason: \'queue-timeout\'`).',
    whatToDo: 'Shed or retry later; raise `maxConcurrent`/`maxQueue` only if the protected resource can take it.',
  },
  HS_RATE_LIMITED: {
    section: 'resilience',
    retryable: true,
    httpStatus: 500,
    meaning: 'A token bucket had no token (within `maxWaitMs`), or an action budget\'s N actions per window are spent. `retryAfterMs` says when the next is allowed.',
    whatToDo: 'Wait `retryAfterMs`; for a remediation budget, escalate to a human instead of acting.',
  },
  HS_CONCURRENCY_LIMITED: {
    section: 'resilience',
    retryable: true,
    httpStatus: 500,
    meaning: 'An adaptive concurrency limit is reached: latency or overload errors lowered it, so the call was refused at once.',
    whatToDo: 'Shed the call or retry with backoff; the limit rises again as latency recovers.',
  },
  HS_HEDGE_LOST: {
    section: 'resilience',
    retryable: false,
    httpStatus: 500,
    meaning: 'The abort reason given to a hedged attempt whose sibling succeeded first. Seen only by the losing callee\'s `signal`.',
    whatToDo: 'Nothing: stop the losing attempt\'s work.',
  },
  HS_INVALID_POLICY_OPTIONS: {
    section: 'resilience',
    retryable: false,
    httpStatus: 400,
    meaning: 'A resilience policy was built with impossible options (e.g. `maxAttempts: 0`, a failure ratio outside (0, 1]). The message names the option.',
    whatToDo: 'Fix the option in the code or config.',
  },
  HS_ANALYSIS_INPUT: {
    section: 'analysis',
    retryable: false,
    httpStatus: 500,
    meaning: 'An input file of `homeostat analyze` (a series, a metric table, a graph) could not be read; the message names the file. The CLI exits with status 1.',
    whatToDo: 'Check the path and permissions.',
  },
  HS_ANALYSIS_BAD_ROW: {
    section: 'analysis',
    retryable: false,
    httpStatus: 500,
    meaning: 'An input file does not parse: a row that is not `timestamp,number`, a metric table without a leading `time` column or with a cell that is neither a number nor a missing value (empty, `NaN`, `Inf`, … are gaps, not errors), a graph that is not valid JSON; with `analyze detect --strict`, also a row out of time order or a missing value. The message gives `file:line`. The CLI exits with status 1 and prints nothing further.',
    whatToDo: 'Fix the row named.',
  },
  HS_ANALYSIS_CONFIG: {
    section: 'analysis',
    retryable: false,
    httpStatus: 500,
    meaning: 'A detector configuration is impossible (an unknown `kind`, `alpha` outside (0, 1], a window of 0, an empty ensemble). The message names the detector and option.',
    whatToDo: 'Fix the detector\'s options in `homeostat.yaml` or the code.',
  },
  HS_DIAGNOSIS_MALFORMED: {
    section: 'analysis',
    retryable: false,
    httpStatus: 500,
    meaning: 'A stored incident diagnosis does not decode (not JSON, or a field of the diagnosis missing or of the wrong type); the message names the field. Also thrown when a diagnoser returns such a diagnosis, before it is stored. The loop then diagnoses the incident again; the API shows no diagnosis, an escalation payload its raw text.',
    whatToDo: 'Nothing for a stored one (the next diagnosis replaces it); a custom diagnoser must return a valid `Diagnosis`.',
  },
  HS_AUDIT_HEAD_INVALID: {
    section: 'audit',
    retryable: false,
    httpStatus: 500,
    meaning: 'A head given to `homeostat audit verify --expect` (or `GET /api/audit/verify?expect=`) is not `<seq>:<sha256 hex>` as a previous `audit verify` printed it. The CLI exits with status 1; the API answers 400.',
    whatToDo: 'Copy the whole `head:` value a verify printed.',
  },
  HS_AUDIT_KEY_INVALID: {
    section: 'audit',
    retryable: false,
    httpStatus: 500,
    meaning: '`$HOMEOSTAT_AUDIT_KEY` is shorter than 16 characters, or the file named by `$HOMEOSTAT_AUDIT_KEY_FILE` cannot be read. `homeostat up` does not start; `audit verify` stops.',
    whatToDo: 'Give a key of at least 16 characters (for example `openssl rand -hex 32`), readable by the user of `up`.',
  },
  HS_METRICS_LISTEN: {
    section: 'monitor',
    retryable: false,
    httpStatus: 500,
    meaning: '`homeostat up` could not serve its own `/metrics` on 127.0.0.1 at `monitor.metricsPort` (the port is taken). Nothing was started.',
    whatToDo: 'Pick another port, or 0 for a free one (printed at start-up).',
  },
  HS_METRICS_PARSE: {
    section: 'monitor',
    retryable: false,
    httpStatus: 500,
    meaning: 'A line of a Prometheus text or OpenMetrics exposition could not be parsed; the message names the line and what is wrong (unterminated label value, invalid value or timestamp, unknown type, `# TYPE` after samples, text after `# EOF` …). A scrape skips such a line and stores the rest, reporting it (line number, reason, text) in the log and in `homeostat_scrape_skipped_lines_total{target}`; a body with no valid sample at all is a failed scrape (`up` 0), never a crash.',
    whatToDo: 'Fix the exporter\'s output at the named line (the log line `scrape skipped malformed lines` or `scrape failed` has it).',
  },
  HS_METRICS_LIMIT: {
    section: 'monitor',
    retryable: false,
    httpStatus: 500,
    meaning: 'A scraped exposition has more samples than its target\'s `monitor.scrape[].maxSeries` (default 2 000). Nothing of that scrape is stored; it counts as a failed scrape (`homeostat_scrapes_total{outcome="series_limit"}`) and in `homeostat_metric_samples_dropped_total{reason="target_series_limit"}`. A body over `maxBodyBytes` is cut off the same way (`outcome="body_limit"`).',
    whatToDo: 'Trim the exporter\'s labels, or raise the target\'s limit.',
  },
  HS_API_UNAUTHORIZED: {
    section: 'api',
    retryable: false,
    httpStatus: 401,
    meaning: '401: no `Authorization: Bearer …` header, a bare token without the `Bearer` scheme, or a token that is malformed, unknown, revoked or has the wrong secret (on `POST /api/alerts/alertmanager`: neither a live token nor the `alerts.secretEnv` shared secret). An open event stream whose token is revoked gets it as an `error` event and ends.',
    whatToDo: 'Send a live token; `homeostat token create --role viewer --name NAME` makes one.',
  },
  HS_API_HOST_NOT_ALLOWED: {
    section: 'api',
    retryable: false,
    httpStatus: 421,
    meaning: '421: the request\'s `Host` is not a loopback name, `api.host` or one of `api.allowedHosts`; refused before any route, public ones included (a DNS-rebinding page sends its own name).',
    whatToDo: 'Call the API by an allowed name, or add the name to `api.allowedHosts`.',
  },
  HS_API_HEADERS_TOO_LARGE: {
    section: 'api',
    retryable: false,
    httpStatus: 431,
    meaning: '431: the request headers are over 16 KiB; refused by the HTTP parser, answered in this shape.',
    whatToDo: 'Send smaller headers (a long cookie or token for another site?).',
  },
  HS_API_FORBIDDEN: {
    section: 'api',
    retryable: false,
    httpStatus: 403,
    meaning: '403: the token\'s role is below what the route needs (viewer < operator < admin). The message names both.',
    whatToDo: 'Use a token of the named role.',
  },
  HS_API_INVALID_REQUEST: {
    section: 'api',
    retryable: false,
    httpStatus: 400,
    meaning: '400 (414 for a URL segment over 300 characters): the body is not valid JSON, or the body, query string or path does not match the route\'s schema (wrong type, missing or unknown field); or pushed metrics / a posted config do not validate. The message names the field.',
    whatToDo: 'Fix the request; `GET /openapi.json` has every schema.',
  },
  HS_API_BODY_TOO_LARGE: {
    section: 'api',
    retryable: false,
    httpStatus: 413,
    meaning: '413: the body is over `api.bodyLimit` (default 1MB), or over `alerts.bodyLimit` on the alert routes. Nothing of it was read.',
    whatToDo: 'Send less, or raise `api.bodyLimit`.',
  },
  HS_API_UNSUPPORTED_MEDIA_TYPE: {
    section: 'api',
    retryable: false,
    httpStatus: 415,
    meaning: '415: a body whose content type is neither `application/json` nor `text/plain`.',
    whatToDo: 'Send JSON with `content-type: application/json`.',
  },
  HS_API_NOT_LEADER: {
    section: 'api',
    retryable: true,
    httpStatus: 503,
    meaning: '503 from a follower\'s `POST /api/metrics` or `POST /api/alerts/alertmanager` (several `up` on one store): it could not forward the push to the leader — no leader now, the leader\'s API did not answer within 5 s, or the push had already been forwarded once during a hand-over. Nothing was stored (no alert taken). `error.leader` and the `x-homeostat-leader` header name the leader\'s API URL when known.',
    whatToDo: 'Retry, or push to `error.leader`. Set `api.advertiseUrl` when the address `up` listens on is not how the other nodes reach it.',
  },
  HS_API_NO_ROUTE: {
    section: 'api',
    retryable: false,
    httpStatus: 404,
    meaning: '404: no route has this method and path.',
    whatToDo: '`GET /openapi.json` lists them.',
  },
  HS_API_SERVICE_NOT_FOUND: {
    section: 'api',
    retryable: false,
    httpStatus: 404,
    meaning: '404: no supervisor has reported state for a service of that name.',
    whatToDo: '`GET /api/services` lists those that have.',
  },
  HS_API_NO_CONFIG: {
    section: 'api',
    retryable: false,
    httpStatus: 404,
    meaning: '404: no config version (or not the one asked for) has been applied to this store.',
    whatToDo: '`homeostat up` applies one; `GET /api/config/versions` lists them.',
  },
  HS_API_TOKEN_NOT_FOUND: {
    section: 'api',
    retryable: false,
    httpStatus: 404,
    meaning: '404: revoking a token id that does not exist or is already revoked.',
    whatToDo: '`GET /api/tokens` or `homeostat token list`.',
  },
  HS_API_INTERNAL: {
    section: 'api',
    retryable: false,
    httpStatus: 500,
    meaning: '500: something failed that is not the caller\'s fault (the store is broken, a bug). The answer says nothing more; the server log has the error.',
    whatToDo: 'Read `homeostat.log` (`API request failed`) and report it.',
  },
  HS_API_LISTEN: {
    section: 'api',
    retryable: false,
    httpStatus: 500,
    meaning: '`homeostat up` could not serve the API at `api.host`:`api.port` (the port is taken, or the address is not local). Nothing was started.',
    whatToDo: 'Pick another port, or 0 for a free one (printed at start-up).',
  },
  HS_API_NOT_SERVED: {
    section: 'api',
    retryable: false,
    httpStatus: 503,
    meaning: '503: config apply or rollback, or an alert post, was asked of an API that has no config manager or alert receiver (one not served by `homeostat up`).',
    whatToDo: 'Ask the API of the running `homeostat up`.',
  },
  HS_API_ROLLBACK_REFUSED: {
    section: 'api',
    retryable: false,
    httpStatus: 409,
    meaning: '409: a config rollback was refused: no other version was ever marked good, the applied one already is the last known good, or the good one was stored redacted (an earlier homeostat stored texts redacted: its secrets are gone). The message says which. Nothing changed.',
    whatToDo: 'Fix the config file instead, or apply a known good text.',
  },
} as const satisfies Record<`HS_${string}`, ErrorCodeEntry>;

/** Every code homeostat throws. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** True when `text` is a code of the registry (a code read from a store record or an API answer). */
export function isErrorCode(text: unknown): text is ErrorCode {
  return typeof text === 'string' && Object.hasOwn(ERROR_CODES, text);
}

/** The registry's entry for `code`. */
export function errorCodeEntry(code: ErrorCode): ErrorCodeEntry {
  return ERROR_CODES[code];
}
