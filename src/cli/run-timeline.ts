import type { RunDetails } from '../workflow/engine.js';
import { formatDuration, formatTime, oneLine, table } from './output.js';

/**
 * The `runs show` view: the run's header, then its history as a timeline — one line
 * per step with its attempts, and each failed attempt's error beneath it.
 */
export function renderRunTimeline(details: RunDetails): string {
  const { run, steps, attempts, modelAttempts } = details;
  const lines: string[] = [];
  lines.push(`run       ${run.id}`);
  lines.push(`workflow  ${run.workflow}`);
  lines.push(`status    ${run.status}${run.cancelRequested && run.status !== 'cancelled' ? ' (cancel requested)' : ''}`);
  lines.push(`created   ${formatTime(run.createdAt)}`);
  if (run.finishedAt !== null) lines.push(`finished  ${formatTime(run.finishedAt)} (${formatDuration(run.finishedAt - run.createdAt)})`);
  if (run.status === 'waiting') lines.push(`wakes     ${run.wakeAt === null ? 'on a signal or child' : formatTime(run.wakeAt)}`);
  if (run.ownerId) lines.push(`owner     ${run.ownerId} (epoch ${run.epoch})`);
  if (run.generation > 0) lines.push(`redriven  ${run.generation} time(s)`);
  if (run.input !== null) lines.push(`input     ${oneLine(run.input, 100)}`);
  if (run.output !== null) lines.push(`output    ${oneLine(run.output, 100)}`);
  if (run.error) lines.push(`error     ${run.error.code ? `${run.error.code} ` : ''}${oneLine(run.error.message, 200)}`);
  lines.push('');
  if (steps.length === 0) {
    lines.push('(no steps recorded yet)');
    return lines.join('\n');
  }
  const rows: string[][] = [];
  for (const step of steps) {
    const duration = step.finishedAt === null ? 'running' : formatDuration(step.finishedAt - step.startedAt);
    // A signal wait that ran out its timeout is an answer (`waitForSignal` gives undefined), not a failure of the run.
    const timedOut = step.kind === 'signal' && step.status === 'failed' && step.error?.code === 'HS_SIGNAL_TIMEOUT';
    const detail = timedOut ? 'no signal before the timeout' : step.status === 'failed' && step.error ? oneLine(`${step.error.name}: ${step.error.message}`, 70) : summarize(step.output);
    rows.push([`#${step.seq}`, step.kind, step.name, timedOut ? 'timed out' : step.status, String(step.attempts), duration, detail]);
    for (const attempt of attempts.filter((a) => a.seq === step.seq)) {
      rows.push([
        '',
        '',
        `  attempt ${attempt.attempt}${attempt.generation !== run.generation ? ` (before redrive ${attempt.generation + 1})` : ''}`,
        'failed',
        '',
        formatDuration(attempt.finishedAt - attempt.startedAt),
        oneLine(`${attempt.error.code ? `${attempt.error.code} ` : ''}${attempt.error.name}: ${attempt.error.message}`, 70),
      ]);
    }
    for (const model of modelAttempts.filter((a) => a.stepSeq === step.seq)) {
      const use = `${model.tokensIn}→${model.tokensOut} tok, ${(model.costMicros / 1e6).toFixed(6)}`;
      const why = model.validationErrors ? `: ${(JSON.parse(model.validationErrors) as string[]).join('; ')}` : model.error && model.outcome !== 'ok' ? `: ${model.error}` : '';
      rows.push([
        '',
        '',
        `  model ${model.callAttempt} ${model.provider}/${model.model}`,
        model.outcome ?? model.status,
        '',
        model.latencyMs === null ? '' : formatDuration(model.latencyMs),
        oneLine(`${use}${why}`, 70),
      ]);
    }
  }
  lines.push(table(['seq', 'kind', 'name', 'status', 'tries', 'took', 'result / error'], rows));
  return lines.join('\n');
}

function summarize(output: string | null): string {
  return output === null ? '' : oneLine(output, 60);
}
