// A run's history as a per-step timeline (Temporal-style): one row per step with its
// kind, status, tries and a bar placing it in the run's span; failed attempts, model
// calls (provider, tokens, cost, validation errors) and compensations beneath their step.
import { h, svg } from '../dom.js';
import { duration, oneLine } from '../format.js';
import { badge } from './health.js';

const BAR_W = 220;

function errorText(error) {
  if (!error) return '';
  return `${error.code ? `${error.code} ` : ''}${error.name ?? 'Error'}: ${error.message ?? ''}`;
}

function bar(start, end, span, tone) {
  const x = span.length > 0 ? ((start - span.from) / span.length) * BAR_W : 0;
  const w = Math.max(2, span.length > 0 ? ((end - start) / span.length) * BAR_W : BAR_W);
  return svg('svg', { class: 'gantt', viewBox: `0 0 ${BAR_W} 10`, width: BAR_W, height: 10, 'aria-hidden': 'true' }, svg('rect', { x: 0, y: 4, width: BAR_W, height: 2, class: 'gantt-track' }), svg('rect', { x: Math.min(x, BAR_W - 2), y: 1, width: Math.min(w, BAR_W - x), height: 8, rx: 2, class: `gantt-bar tone-${tone}` }));
}

/** A model attempt's outcome as a badge tone: `ok` is healthy, anything else a failure kind. */
function modelTone(outcome) {
  if (outcome === null || outcome === undefined) return 'info';
  return outcome === 'ok' ? 'ok' : 'bad';
}

/** Tokens and cost of one model attempt, then why it failed: the validation errors or the error. */
function modelDetail(model) {
  const use = `${model.tokensIn}→${model.tokensOut} tokens, $${(model.costMicros / 1e6).toFixed(6)}`;
  if (model.validationErrors && model.validationErrors.length > 0) return `${use} — invalid: ${model.validationErrors.join('; ')}`;
  if (model.error && model.outcome !== 'ok') return `${use} — ${model.error}`;
  return use;
}

function modelRow(model, span, now) {
  const finished = model.finishedAt ?? now;
  return h(
    'tr',
    { class: 'model-attempt', dataset: { seq: String(model.stepSeq), provider: model.provider, outcome: model.outcome ?? model.status } },
    h('td'),
    h('td'),
    h('td', { class: 'indent' }, `model call ${model.callAttempt} ${model.provider}/${model.model}`),
    h('td', null, h('span', { class: `tag tone-${modelTone(model.outcome)}` }, model.outcome ?? model.status)),
    h('td'),
    h('td', { class: 'num' }, model.latencyMs === null ? 'running' : duration(model.latencyMs)),
    h('td', null, bar(model.startedAt, finished, span, modelTone(model.outcome))),
    h('td', { class: model.outcome === 'ok' ? 'muted' : 'error-text' }, oneLine(modelDetail(model), 120)),
  );
}

/** `details`: `{ run, steps, attempts, modelAttempts }` as `GET /api/runs/:id` returns it. */
export function runTimeline({ run, steps, attempts, modelAttempts = [] }) {
  if (steps.length === 0) return h('p', { class: 'muted' }, 'No steps recorded yet.');
  const now = Date.now();
  const from = Math.min(run.createdAt, ...steps.map((s) => s.startedAt));
  const to = Math.max(run.finishedAt ?? now, ...steps.map((s) => s.finishedAt ?? now));
  const span = { from, length: Math.max(1, to - from) };
  const rows = [];
  for (const step of steps) {
    // A signal wait that ran out its timeout is an answer (`waitForSignal` gives undefined), not a failure: a task
    // graph, for one, looks for cancellations with a wait of timeout 0 at every wave.
    const timedOut = step.kind === 'signal' && step.status === 'failed' && step.error?.code === 'HS_SIGNAL_TIMEOUT';
    const tone = timedOut ? 'info' : step.status === 'failed' ? 'bad' : step.status === 'waiting' ? 'info' : step.kind === 'compensation' ? 'warn' : 'ok';
    const took = step.finishedAt === null ? 'running' : duration(step.finishedAt - step.startedAt);
    const detail = timedOut ? 'no signal before the timeout' : step.status === 'failed' ? errorText(step.error) : step.output === null || step.output === undefined ? '' : oneLine(step.output, 80);
    rows.push(
      h(
        'tr',
        { class: ['step', step.kind === 'compensation' ? 'compensation' : null], dataset: { seq: String(step.seq), status: step.status } },
        h('td', { class: 'num' }, `#${step.seq}`),
        h('td', null, step.kind === 'compensation' ? h('span', { class: 'tag tone-warn' }, 'compensation') : step.kind),
        h('th', { scope: 'row' }, step.name),
        h('td', null, timedOut ? h('span', { class: 'tag tone-info' }, 'timed out') : badge(step.status)),
        h('td', { class: 'num' }, String(step.attempts)),
        h('td', { class: 'num' }, took),
        h('td', null, bar(step.startedAt, step.finishedAt ?? now, span, tone)),
        h('td', { class: step.status === 'failed' && !timedOut ? 'error-text' : 'muted' }, detail),
      ),
    );
    for (const attempt of attempts.filter((a) => a.seq === step.seq)) {
      const earlier = attempt.generation !== run.generation ? ` (before redrive ${attempt.generation + 1})` : '';
      rows.push(
        h(
          'tr',
          { class: 'attempt', dataset: { seq: String(step.seq) } },
          h('td'),
          h('td'),
          h('td', { class: 'indent' }, `attempt ${attempt.attempt}${earlier}`),
          h('td', null, badge('failed')),
          h('td'),
          h('td', { class: 'num' }, duration(attempt.finishedAt - attempt.startedAt)),
          h('td', null, bar(attempt.startedAt, attempt.finishedAt, span, 'bad')),
          h('td', { class: 'error-text' }, errorText(attempt.error)),
        ),
      );
    }
    for (const model of modelAttempts.filter((call) => call.stepSeq === step.seq)) rows.push(modelRow(model, span, now));
  }
  return h(
    'table',
    { class: 'grid run-steps', 'aria-label': `steps of run ${run.id}` },
    h('thead', null, h('tr', null, ['seq', 'kind', 'step', 'status', 'tries', 'took', 'when', 'result / error'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows),
  );
}
