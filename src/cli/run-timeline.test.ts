import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelAttemptRecord, RunRecord, StepRecord } from '../store/records.js';
import { renderRunTimeline } from './run-timeline.js';

const run: RunRecord = {
  id: 'run-1', workflow: 'summarize', input: null, status: 'completed', output: '{"summary":"blue sky"}', error: null, ownerId: null, epoch: 1, wakeAt: null,
  parentId: null, deadlineAt: null, cancelRequested: false, generation: 0, createdAt: 1_000, updatedAt: 2_000, finishedAt: 2_000, traceparent: null, tracestate: null,
};
const step: StepRecord = { runId: 'run-1', seq: 1, name: 'model:summarize', kind: 'step', status: 'completed', output: '{"value":{}}', error: null, attempts: 1, startedAt: 1_000, finishedAt: 2_000 };
const attempt = (callAttempt: number, outcome: string, extra: Partial<ModelAttemptRecord> = {}): ModelAttemptRecord => ({
  id: callAttempt, runId: 'run-1', workflow: 'summarize', stepSeq: 1, step: 'model:summarize', stepAttempt: 1, callAttempt, day: '2026-12-07', provider: 'openai', model: 'gpt-small',
  promptHash: 'ab', status: 'settled', reservedTokens: 211, reservedCostMicros: 411, outcome, tokensIn: 11, tokensOut: 12, costMicros: 35, latencyMs: 40, startedAt: 1_000, finishedAt: 1_040,
  error: null, validationErrors: null, ...extra,
});

test('runs show: each model attempt under its step, with provider, model, outcome, tokens, cost and the validation errors', () => {
  const text = renderRunTimeline({
    run,
    steps: [step],
    attempts: [],
    modelAttempts: [attempt(1, 'invalid-output', { error: 'sentiment: invalid option', validationErrors: '["sentiment: invalid option"]' }), attempt(2, 'ok', { provider: 'claude', model: 'claude-small' })],
  });
  const lines = text.split('\n');
  const first = lines.find((line) => line.includes('model 1 openai/gpt-small'));
  const second = lines.find((line) => line.includes('model 2 claude/claude-small'));
  assert.ok(first && second, text);
  assert.match(first, /invalid-output .* 11→12 tok, 0\.000035: sentiment: invalid option/);
  assert.match(second, /ok .* 11→12 tok, 0\.000035$/);
  assert.ok(lines.indexOf(first) < lines.indexOf(second));
});

test('runs show: a signal wait that ran out its timeout reads "timed out", not failed; a failed step still reads failed with its error', () => {
  const timedOut: StepRecord = { ...step, seq: 2, name: 'graph-cancel:report', kind: 'signal', status: 'failed', output: null, error: { name: 'SignalTimeout', code: 'HS_SIGNAL_TIMEOUT', message: 'no "graph-cancel:report" signal before the timeout' } };
  const failed: StepRecord = { ...step, seq: 3, name: 'charge', status: 'failed', output: null, error: { name: 'Error', message: 'payments: 503' } };
  const lines = renderRunTimeline({ run, steps: [timedOut, failed], attempts: [], modelAttempts: [] }).split('\n');
  const wait = lines.find((line) => line.includes('graph-cancel:report'));
  const charge = lines.find((line) => line.includes('charge'));
  assert.ok(wait && charge);
  assert.match(wait, /timed out .* no signal before the timeout/);
  assert.doesNotMatch(wait, /failed|SignalTimeout/);
  assert.match(charge, /failed .* Error: payments: 503/);
});
