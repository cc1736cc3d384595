/**
 * What the demo found, built from the store's recorded history (not from the demo's own
 * bookkeeping), and its human-readable rendering.
 */
import type { AttemptRecord, RunDetails, RunStatus, StepRecord, Store } from '../../src/index.js';
import type { FaultStats } from './document-source.js';
import type { SummarizeOutput } from './pipeline.js';

/** One model attempt as the report counts it (from the run's records). */
export interface ModelAttemptSummary {
  provider: string;
  outcome: string;
  tokensIn: number;
  tokensOut: number;
  costMicros: number;
}

export interface RunSummary {
  id: string;
  status: RunStatus;
  /** Checkpointed steps (`ctx.step` and the model step). */
  steps: number;
  /** The provider whose answer was accepted. */
  provider: string | undefined;
  /** The model step's attempts, as recorded: fall-overs, re-asks and retries. */
  modelAttempts: ModelAttemptSummary[];
  /** Each failure the run survived, labelled: `503`, `slow-doc`, and the model attempts' (`429`, `truncated`, `invalid-output`, …). */
  faults: string[];
  /** Tokens (in + out) and cost of all its model attempts: what its budget counted. */
  tokens: number;
  costMicros: number;
  /** The run was in flight on the killed worker and resumed elsewhere. */
  resumedAfterKill: boolean;
  finishedBy: string | undefined;
  elapsedMs: number | undefined;
  error: string | undefined;
}

/** One provider over the whole demo. */
export interface ProviderSummary {
  provider: string;
  attempts: number;
  ok: number;
  /** Failed attempts by outcome (`rate-limited`, `truncated`, …). */
  failures: Record<string, number>;
  tokensIn: number;
  tokensOut: number;
  costMicros: number;
}

/** An incident the loop opened about a provider. */
export interface ProviderIncident {
  id: string;
  element: string;
  symptom: string;
  status: string;
  summary: string;
  resolvedBy: string | null;
  openedAt: number;
  resolvedAt: number | null;
}

export interface KillRecord {
  worker: string;
  pid: number;
  /** Runs the killed worker owned at that moment. */
  inFlight: string[];
  atMs: number;
  replacement: string | undefined;
}

export interface DemoReport {
  documents: number;
  workers: string[];
  runs: RunSummary[];
  providers: ProviderSummary[];
  incidents: ProviderIncident[];
  /** Providers drained in the store at the end. */
  drained: string[];
  /** The per-run budget every run stayed within. */
  budget: { tokens: number; cost: number };
  /** When swift was made to degrade (ms since the start), if it was. */
  degradedAtMs: number | undefined;
  /** When swift was fixed (ms since the start), if it was. */
  healedAtMs: number | undefined;
  stats: FaultStats;
  kill: KillRecord | undefined;
  elapsedMs: number;
  storeUrl: string;
  outDir: string;
  /** Result files found on disk for completed runs. */
  filesWritten: number;
  /** Every run completed and wrote its file. */
  ok: boolean;
}

export function summarizeRun(details: RunDetails, resumedAfterKill: boolean): RunSummary {
  const { run, steps, attempts, modelAttempts } = details;
  const output = run.status === 'completed' && run.output !== null ? (JSON.parse(run.output) as SummarizeOutput) : undefined;
  // Settled attempts are what was billed; a released reservation (a killed worker's) was not.
  const settled = modelAttempts.filter((a) => a.status === 'settled');
  return {
    id: run.id,
    status: run.status,
    steps: steps.filter((s) => s.kind === 'step').length,
    provider: output?.provider,
    modelAttempts: settled.map((a) => ({ provider: a.provider, outcome: a.outcome ?? 'unknown', tokensIn: a.tokensIn, tokensOut: a.tokensOut, costMicros: a.costMicros })),
    faults: [...attempts.filter((a) => !(steps.find((s) => s.seq === a.seq)?.name ?? '').startsWith('model:')).map((a) => faultLabel(a, steps)), ...settled.filter((a) => a.outcome !== 'ok').map((a) => `${a.provider}:${a.outcome}`)],
    tokens: settled.reduce((sum, a) => sum + a.tokensIn + a.tokensOut, 0),
    costMicros: settled.reduce((sum, a) => sum + a.costMicros, 0),
    resumedAfterKill,
    finishedBy: output?.finishedBy,
    elapsedMs: output?.elapsedMs,
    error: run.error ? `${run.error.code ?? run.error.name}: ${run.error.message}` : undefined,
  };
}

/** Per provider: attempts, answers, failures by kind, tokens and cost, over every run. */
export function summarizeProviders(runs: RunSummary[]): ProviderSummary[] {
  const byProvider = new Map<string, ProviderSummary>();
  for (const attempt of runs.flatMap((run) => run.modelAttempts)) {
    const summary = byProvider.get(attempt.provider) ?? { provider: attempt.provider, attempts: 0, ok: 0, failures: {}, tokensIn: 0, tokensOut: 0, costMicros: 0 };
    summary.attempts++;
    if (attempt.outcome === 'ok') summary.ok++;
    else summary.failures[attempt.outcome] = (summary.failures[attempt.outcome] ?? 0) + 1;
    summary.tokensIn += attempt.tokensIn;
    summary.tokensOut += attempt.tokensOut;
    summary.costMicros += attempt.costMicros;
    byProvider.set(attempt.provider, summary);
  }
  return [...byProvider.values()].sort((a, b) => a.provider.localeCompare(b.provider));
}

/** The incidents the loop opened about model providers (element `provider:<name>`), oldest first. */
export async function providerIncidents(store: Pick<Store, 'listIncidents'>): Promise<ProviderIncident[]> {
  const incidents = await store.listIncidents({ limit: 100 });
  return incidents
    .filter((incident) => incident.element.startsWith('provider:'))
    .map(({ id, element, symptom, status, summary, resolvedBy, openedAt, resolvedAt }) => ({ id, element, symptom, status, summary, resolvedBy, openedAt, resolvedAt }))
    .sort((a, b) => a.openedAt - b.openedAt);
}

function faultLabel(attempt: AttemptRecord, steps: StepRecord[]): string {
  const step = steps.find((s) => s.seq === attempt.seq)?.name ?? '';
  const code = attempt.error.code ?? attempt.error.name;
  if (code === 'HS_TIMEOUT') return step.startsWith('fetch') ? 'slow-doc' : 'timeout';
  if (code.startsWith('HTTP_')) return code.slice('HTTP_'.length);
  return code;
}

/** `['503', 'timeout', '503']` → `503×2 timeout` */
function compactFaults(faults: string[]): string {
  const counts = new Map<string, number>();
  for (const fault of faults) counts.set(fault, (counts.get(fault) ?? 0) + 1);
  return [...counts].map(([fault, n]) => (n > 1 ? `${fault}×${n}` : fault)).join(' ') || '—';
}

export function formatReport(report: DemoReport): string {
  const rows = report.runs.map((run) => [
    run.id,
    run.status,
    run.provider ?? '—',
    String(run.modelAttempts.length),
    compactFaults([...run.faults, ...(run.resumedAfterKill ? ['worker-killed'] : [])]),
    `${run.tokens}`,
    money(run.costMicros),
    run.finishedBy ? `${run.finishedBy}${run.resumedAfterKill ? ' (took over)' : ''}` : run.error ?? '—',
    run.elapsedMs === undefined ? '' : `${(run.elapsedMs / 1000).toFixed(1)} s`,
  ]);
  const providerRows = report.providers.map((p) => [
    p.provider,
    String(p.attempts),
    String(p.ok),
    String(p.attempts - p.ok),
    Object.entries(p.failures).map(([kind, n]) => `${kind}×${n}`).join(' ') || '—',
    String(p.tokensIn),
    String(p.tokensOut),
    money(p.costMicros),
  ]);
  const maxTokens = Math.max(0, ...report.runs.map((r) => r.tokens));
  const maxCost = Math.max(0, ...report.runs.map((r) => r.costMicros));
  const lines = [
    '',
    ...table(['run', 'status', 'answered by', 'model attempts', 'faults survived', 'tokens', 'cost', 'finished by', 'time'], rows),
    '',
    'Providers (every model attempt, from the store):',
    ...table(['provider', 'calls', 'answered', 'failed', 'failures', 'tokens in', 'tokens out', 'cost'], providerRows),
    '',
    'The loop (homeostat up):',
    ...(report.degradedAtMs === undefined ? ['  swift never degraded'] : [`  swift degraded at ${(report.degradedAtMs / 1000).toFixed(1)} s${report.healedAtMs === undefined ? '' : `, fixed at ${(report.healedAtMs / 1000).toFixed(1)} s`}`]),
    ...(report.incidents.length === 0
      ? ['  no incident about a provider']
      : report.incidents.map((i) => `  incident ${i.id} on ${i.element} (${i.symptom}): ${i.status}${i.resolvedBy ? ` by ${i.resolvedBy}` : ''}${i.resolvedAt ? ` after ${((i.resolvedAt - i.openedAt) / 1000).toFixed(1)} s` : ''}`)),
    `  drained now: ${report.drained.join(', ') || 'none'}`,
    '',
    `Budget per run: ${report.budget.tokens} tokens, ${money(report.budget.cost * 1e6)}; the most any run spent: ${maxTokens} tokens, ${money(maxCost)}`,
    'Other faults injected:',
    `  document source   503 Service Unavailable       ${report.stats.documentUnavailable}`,
    `                    too slow (past 1 s timeout)   ${report.stats.documentSlow}`,
    `  workers           ${killLine(report)}`,
    '',
  ];
  const completed = report.runs.filter((r) => r.status === 'completed').length;
  const seconds = (report.elapsedMs / 1000).toFixed(1);
  lines.push(
    report.ok
      ? `Result: ${completed}/${report.documents} runs completed in ${seconds} s; ${report.filesWritten} result files in ${report.outDir}/`
      : `FAILED: only ${completed}/${report.documents} runs completed (${report.filesWritten} result files) after ${seconds} s`,
    '',
    'Inspect every step and model attempt, and the incident, with the CLI:',
    `  npx homeostat runs show ${report.kill?.inFlight[0] ?? report.runs[0]?.id ?? '<run-id>'} --store ${report.storeUrl}`,
    `  npx homeostat incident show ${report.incidents[0]?.id ?? '<id>'} --store ${report.storeUrl}`,
  );
  return lines.join('\n');
}

/** Micro-units of USD as dollars. */
function money(micros: number): string {
  return `$${(micros / 1e6).toFixed(6)}`;
}

function killLine(report: DemoReport): string {
  const { kill } = report;
  if (!kill) return 'none killed';
  const replaced = kill.replacement ? `; ${kill.replacement} started in its place` : '';
  return `${kill.worker} SIGKILLed at ${(kill.atMs / 1000).toFixed(1)} s with ${kill.inFlight.length} run(s) in flight${replaced}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  return [format(header), format(widths.map((w) => '─'.repeat(w))), ...rows.map(format)];
}
