/**
 * What the demo found, built from the store's recorded history (not from the demo's own
 * bookkeeping), and its human-readable rendering.
 */
import type { AttemptRecord, RunDetails, RunStatus, StepRecord } from '../../src/index.js';
import { malformedCount, type FaultStats } from './model-server.js';
import type { SummarizeOutput } from './pipeline.js';

export interface RunSummary {
  id: string;
  status: RunStatus;
  /** Checkpointed steps (`ctx.step`), including failed validations. */
  steps: number;
  /** Model requests that got an answer or a fault, as recorded. */
  modelCalls: number;
  /** Each failed attempt the run survived, labelled: `503`, `slow-doc`, `timeout`, `429`, `malformed`. */
  faults: string[];
  /** The run was in flight on the killed worker and resumed elsewhere. */
  resumedAfterKill: boolean;
  finishedBy: string | undefined;
  elapsedMs: number | undefined;
  error: string | undefined;
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
  const { run, steps, attempts } = details;
  const userSteps = steps.filter((s) => s.kind === 'step');
  const output = run.status === 'completed' && run.output !== null ? (JSON.parse(run.output) as SummarizeOutput) : undefined;
  return {
    id: run.id,
    status: run.status,
    steps: userSteps.length,
    modelCalls: userSteps.filter((s) => s.name.startsWith('call-model')).reduce((sum, s) => sum + s.attempts, 0),
    faults: attempts.map((a) => faultLabel(a, steps)),
    resumedAfterKill,
    finishedBy: output?.finishedBy,
    elapsedMs: output?.elapsedMs,
    error: run.error ? `${run.error.code ?? run.error.name}: ${run.error.message}` : undefined,
  };
}

function faultLabel(attempt: AttemptRecord, steps: StepRecord[]): string {
  const step = steps.find((s) => s.seq === attempt.seq)?.name ?? '';
  const code = attempt.error.code ?? attempt.error.name;
  if (code === 'MALFORMED_ANSWER') return 'malformed';
  if (code === 'HTTP_429') return '429';
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
    String(run.steps),
    String(run.faults.length),
    String(run.modelCalls),
    compactFaults([...run.faults, ...(run.resumedAfterKill ? ['worker-killed'] : [])]),
    run.finishedBy ? `${run.finishedBy}${run.resumedAfterKill ? ' (took over)' : ''}` : run.error ?? '—',
    run.elapsedMs === undefined ? '' : `${(run.elapsedMs / 1000).toFixed(1)} s`,
  ]);
  const lines = [
    '',
    ...table(['run', 'status', 'steps', 'retries', 'model calls', 'faults survived', 'finished by', 'time'], rows),
    '',
    'Faults injected:',
    `  document source   503 Service Unavailable       ${report.stats.documentUnavailable}`,
    `                    too slow (past 1 s timeout)   ${report.stats.documentSlow}`,
    `  model endpoint    hung (past 2 s timeout)       ${report.stats.modelHang}`,
    `                    429 with Retry-After          ${report.stats.modelRateLimited}`,
    `                    malformed JSON answer         ${malformedCount(report.stats)} (${report.stats.modelMalformedTruncated} truncated, ${report.stats.modelMalformedProse} prose)`,
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
    'Inspect every step and attempt with the CLI:',
    `  npx homeostat runs list --store ${report.storeUrl}`,
    `  npx homeostat runs show ${report.kill?.inFlight[0] ?? report.runs[0]?.id ?? '<run-id>'} --store ${report.storeUrl}`,
  );
  return lines.join('\n');
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
