import { CONFIG_JSON_SCHEMA_PATH } from './config-json-schema.js';

// The hand-written parts of docs/config-reference.md: behaviour that no single key
// describes. The key tables around them are generated from the zod schema.

export const EDITOR_SECTION = `## Completion and checks in your editor

Editors with the YAML language server (VS Code's YAML extension, Neovim, JetBrains, …)
complete and check \`homeostat.yaml\` against the JSON Schema when the file's first line names it:

\`\`\`yaml
# yaml-language-server: $schema=./node_modules/homeostat/${CONFIG_JSON_SCHEMA_PATH}
\`\`\`

The path is relative to the YAML file: \`./node_modules/homeostat/…\` where homeostat is a
dependency, or the file in a checkout (\`examples/system/homeostat.yaml\` uses
\`../../${CONFIG_JSON_SCHEMA_PATH}\`). The JSON Schema checks shapes; \`homeostat\` checks more
(service names in \`dependsOn\`, \`standby\` and \`symptoms\`, one probe kind, …) when it loads the file.`;

export const POLICY_MATCHING_SECTION = `## How policies are matched

An incident (after its root cause is ranked) is matched against \`policies:\` **in file
order; the first policy whose \`match\` holds handles it**, and no other is tried. Put the
specific policies first and a catch-all (\`match: {}\`) last.

- Every criterion a \`match\` gives must hold; one it leaves out holds for anything. A
  \`match\` with no criterion matches every incident.
- Within a list criterion (\`symptom\`, \`diagnosis\`, \`service\`, \`classification\`) any
  one entry matches. \`classification\` holds only once the diagnosis has classified the
  fault (a persistent fault can skip the restarts that did not hold).
- \`labels\`: every label given must equal the incident's (the element's, such as
  \`environment\`, and the symptom's, such as \`resource: memory\` or \`probe: startup\`).
- **Environment overrides**: when the top-level \`environment\` names an entry of the matched
  policy's \`environments\`, the keys that entry sets (\`approval.required\`, \`approval.ttl\`,
  \`approval.warnBefore\`, \`dryRun\`) replace the policy's; keys it leaves out keep the
  policy's values. Overrides never change which policy matches.
- No policy matches: the incident is escalated (the \`escalation\` webhooks) and retried every
  \`escalation.retryEvery\`.
- The guardrails (\`guardrails\`: budgets, blast radius, breaker, \`dryRun\`) are checked before
  every action of any policy.`;

export const SCRAPING_SECTION = `## What scraping covers

A \`monitor.scrape\` entry is one of two kinds:

- **\`service: api\`** scrapes **every replica of one supervised service** at
  \`http://127.0.0.1:<replica port><path>\` every \`every\`. Samples get the labels
  \`service\` and \`instance\` (\`api#0\`).
- **\`url: http://127.0.0.1:9121/metrics\`** scrapes any endpoint (an exporter, another
  program), and needs \`element\`: the element its series belong to (their \`service\`
  label), so redis_exporter's series are \`redis\`'s and a rule on them opens an incident
  on \`redis\`. Its series get \`job\` (default the element), \`instance\` (\`<host>:<port>\`)
  and \`labels\`. \`elementFrom\`/\`instanceFrom\` read the element/instance from a label of
  each series instead; \`honorLabels\` keeps the exposition's own \`job\`/\`instance\`
  (otherwise theirs are kept as \`exported_<name>\`). A symptom rule's \`service\` may name
  such an element even when homeostat does not supervise it.

Both accept the Prometheus text format (0.0.4) and OpenMetrics (asked for first; exemplars,
\`# UNIT\`, \`# EOF\`, info, stateset, gaugehistogram, unknown); a timestamp is read as ms
or as seconds by the answer's Content-Type. A malformed line is skipped, counted and logged
with its line number; the rest of the scrape is stored. NaN and ±Inf samples are kept.
Each scrape gives up after \`timeout\` and adds the target's \`up\` (1/0) and
\`scrape_duration_seconds\` series; \`/metrics\` has \`homeostat_scrape_up{target}\` and
friends (docs/integrations.md, "Scraping").

- Scraped series feed the \`symptoms:\` rules of that element and root-cause ranking; they
  are kept in memory for \`monitor.retention\`, never in the store. External (\`url:\`)
  services are not scraped by their \`service\` entry; give them a \`url\` target or push
  their metrics with \`POST /api/metrics\` (docs/api.md).
- Limits per target: \`maxBodyBytes\` (the body is read as a stream and cut off past it) and
  \`maxSeries\` (samples per exposition); a scrape over either stores nothing. All sources
  together are capped by \`monitor.maxSeries\`.
- Which samples are accepted (timestamps too far ahead or behind, series budgets) and how
  each dropped one is counted on \`/metrics\`: docs/detection-and-diagnosis.md, "What the
  monitor accepts".
- homeostat's own metrics are served on \`monitor.metricsPort\` (\`/metrics\`).`;

export const CHILDREN_SECTION = `## What happens to children when \`up\` stops or dies

- **\`up\` stops** (SIGTERM, SIGINT, Ctrl-C): every supervised process gets its
  \`stopSignal\`, sent to its whole process group (each process runs in its own session, so
  its own children get it too), and SIGKILL after its \`gracePeriod\`; \`up\` exits when all
  are gone. External (\`url:\`) services are never signalled.
- **\`up\` dies** (SIGKILL, OOM kill, crash): no shutdown code runs, so two mechanisms stop
  what it supervised. *The reaper*, a small process \`up\` starts beside itself in its own
  session, learns each process group over a pipe; when the pipe closes it sends every group
  its \`stopSignal\`, then SIGKILL after its \`gracePeriod\` (at most 30 s), and logs to
  \`<stateDir>/reaper.log\`. *The ledger*, one file per live process in
  \`<stateDir>/processes/\`, lets the next \`up\` stop what a gone owner left (the reaper was
  killed too) before it spawns anything — only a process with the same boot id, pid and start
  time, so a reused pid is never killed. A remediation \`command\` runs under the same protection.
- Details: docs/architecture.md, "When \`up\` is killed".`;

export const PROBE_TIMEOUTS_SECTION = `## Probe timeouts under load

A probe check that has not answered within \`timeout\` fails, and \`failureThreshold\`
failures in a row restart the process (liveness) or take it out of readiness. The answer's
delay is not the service's alone: on a busy host the service, and homeostat itself, wait
for a CPU, and a check that took 5 ms on an idle machine can take hundreds of milliseconds.
So a timeout is a promise about the worst moment of the host, not the typical one.

- The default \`timeout\` is **1 s, whatever the \`period\`** (it used to be the period, capped
  at 1 s, so a 250 ms period meant a 250 ms timeout). A \`timeout\` longer than the \`period\`
  is fine: a tick that finds the previous check still running is skipped.
- The examples and docs use no timeout below 1 s. The price is slower hang detection:
  checks do not overlap, so with \`timeout\` ≥ \`period\` a hang is caught after about
  \`failureThreshold\` × \`timeout\` (each rounded up to a whole period): 3 × 1.25 s ≈ 3.75 s
  for \`period: 250ms, timeout: 1s\` (\`npm start\`'s hang: 3.3 s after the fault, where a
  200 ms timeout took 0.9 s). To detect faster, lower \`failureThreshold\`, not the timeout.
- A heartbeat probe's \`timeout\` is the age the last beat may reach: give it several beat
  intervals (the example worker beats every 200 ms and allows 2 s).
- Measured with \`bench/probe-timeouts/run.mjs\` on the 2-core development host, busy with
  other work (load average 8–10) plus two busy Node loops, the example system under
  \`homeostat up\` with nothing wrong: api#0's \`/healthz\`, asked every 250 ms for 150 s,
  answered in 6 ms (median), 49 ms (p99) and **392 ms at worst**; 1 answer in 553 took over
  200 ms, none over 1 s. A 200 ms timeout turns such an answer into a failed check; with
  \`failureThreshold: 3\` no restart followed in 7.5 minutes of runs (3 and 2.5 min with two
  busy loops, 2 min with four; three slow answers in a row are rarer), but a probe with
  \`failureThreshold: 1\` (a readiness probe, often) flips on each one. 1 s leaves more than
  twice the worst answer seen.`;
