/**
 * The example AI pipeline as a durable workflow: fetch a document, ask a model to
 * summarize it, validate the answer, write the result. Every step is checkpointed, so
 * a worker killed at any point resumes from the last completed step on another worker.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineWorkflow, parseRetryAfter, StepFailedError, TerminalError, type WorkflowDefinition } from '../../src/index.js';
import type { ChatRequest, SourceDocument } from './model-server.js';

export const WORKFLOW_NAME = 'summarize-document';

/** A malformed answer earns a new model call, at most this many in total per run. */
export const MAX_MODEL_ROUNDS = 5;

/** Where this worker finds its services and writes results; not part of the run's input. */
export interface PipelineConfig {
  /** Base URL of the document source and model endpoint (the stand-in server). */
  baseUrl: string;
  /** Folder for the per-document result files. */
  outDir: string;
  /** Recorded in each result file, to show which worker wrote it. */
  workerName: string;
}

export interface SummarizeInput {
  documentId: string;
}

export type Sentiment = 'positive' | 'negative' | 'neutral';

export interface ModelAnswer {
  summary: string;
  sentiment: Sentiment;
}

export interface SummarizeOutput extends ModelAnswer {
  documentId: string;
  outputPath: string;
  /** How many answers the model gave before one was valid. */
  modelRounds: number;
  /** The worker whose result file it is (recorded by `write-result`). */
  writtenBy: string;
  /** The worker that completed the run: after a takeover, not necessarily the writer. */
  finishedBy: string;
  /** From the run's first step to its end, in workflow (recorded) time. */
  elapsedMs: number;
}

/** A non-2xx HTTP answer. 5xx and 429 are worth retrying; other 4xx are not. */
export class HttpStatusError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  /** Read by the step's retry policy: it waits at least this long before the next attempt. */
  readonly retryAfterMs: number | undefined;
  constructor(what: string, status: number, retryAfterMs?: number) {
    super(`${what} answered HTTP ${status}${retryAfterMs === undefined ? '' : ` (retry after ${retryAfterMs} ms)`}`);
    this.name = 'HttpStatusError';
    this.code = `HTTP_${status}`;
    this.status = status;
    this.retryable = status >= 500 || status === 429;
    this.retryAfterMs = retryAfterMs;
  }
}

/** The model answered, but not with the JSON we asked for. */
export class MalformedAnswerError extends Error {
  readonly code = 'MALFORMED_ANSWER';
  // Parsing the same text again cannot help; a new model call can.
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'MalformedAnswerError';
  }
}

/**
 * Build the workflow for one worker's configuration. Every worker registers the same
 * name and step sequence; only where it finds services and writes files differs.
 */
export function summarizeDocumentWorkflow(config: PipelineConfig): WorkflowDefinition<SummarizeInput, SummarizeOutput> {
  return defineWorkflow<SummarizeInput, SummarizeOutput>(WORKFLOW_NAME, async (ctx, input) => {
    const startedAt = await ctx.now();

    const document = await ctx.step('fetch-document', ({ signal }) => fetchDocument(config.baseUrl, input.documentId, signal), {
      timeout: '1s',
      retry: { maxAttempts: 6, initialDelay: '100ms', maxDelay: '1s' },
    });

    // Why a loop of rounds rather than one step that calls and validates: each model
    // answer and each verdict on it is checkpointed on its own (`call-model#2`,
    // `validate-answer#2`, …), so `runs show` tells exactly which answer was malformed
    // and why, and a worker killed after a call resumes with that answer instead of
    // paying for the call again. Transport faults (timeout, 429, 5xx) are retried
    // inside `call-model#n` by its retry policy; a malformed answer fails
    // `validate-answer#n` (one attempt: re-parsing the same text cannot help) and the
    // workflow catches that and asks the model again. Replay sees the same recorded
    // failure and takes the same branch, so the loop is deterministic.
    let answer: ModelAnswer | undefined;
    let round = 0;
    while (answer === undefined) {
      round++;
      const content = await ctx.step(`call-model#${round}`, ({ signal }) => callModel(config.baseUrl, document, signal), {
        timeout: '2s',
        retry: { maxAttempts: 6, initialDelay: '200ms', maxDelay: '2s', maxRetryAfter: '5s' },
      });
      try {
        answer = await ctx.step(`validate-answer#${round}`, () => validateAnswer(content), { retry: false });
      } catch (error) {
        const malformed = error instanceof StepFailedError && error.causeCode === 'MALFORMED_ANSWER';
        if (!malformed || round >= MAX_MODEL_ROUNDS) throw error;
      }
    }

    const valid = answer;
    const written = await ctx.step('write-result', () => writeResult(config, input.documentId, valid, round), {
      // The saga's undo: if anything after this step failed (or the run were cancelled),
      // the engine would run this durably so no result file outlives a failed run.
      compensate: (result) => rm(result.path, { force: true }),
    });

    const finishedAt = await ctx.now();
    return {
      documentId: input.documentId,
      ...valid,
      outputPath: written.path,
      modelRounds: round,
      writtenBy: written.writtenBy,
      // Safe outside a step: it only feeds the output, which is recorded once, when the
      // run completes; nothing replayed depends on it.
      finishedBy: config.workerName,
      elapsedMs: finishedAt - startedAt,
    };
  });
}

async function fetchDocument(baseUrl: string, id: string, signal: AbortSignal): Promise<SourceDocument> {
  const response = await fetch(`${baseUrl}/documents/${encodeURIComponent(id)}`, { signal });
  if (response.status === 404) throw new TerminalError(`document ${id} does not exist`);
  if (!response.ok) throw new HttpStatusError('document source', response.status);
  return (await response.json()) as SourceDocument;
}

/** Ask the model for a summary; returns the assistant's raw text (validated separately). */
async function callModel(baseUrl: string, document: SourceDocument, signal: AbortSignal): Promise<string> {
  const request: ChatRequest = {
    model: 'stand-in-summarizer',
    messages: [
      { role: 'system', content: 'Summarize the document in one sentence. Answer only JSON: {"summary": string, "sentiment": "positive"|"negative"|"neutral"}.' },
      { role: 'user', content: `${document.title}\n${document.body}` },
    ],
  };
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal,
  });
  if (!response.ok) {
    const header = response.headers.get('retry-after');
    await response.body?.cancel();
    const waitMs = header === null ? undefined : parseRetryAfter(header, Date.now());
    throw new HttpStatusError('model', response.status, waitMs);
  }
  const body = (await response.json()) as { choices?: { message?: { content?: unknown } }[] };
  const content = body.choices?.[0]?.message?.content;
  if (typeof content !== 'string') throw new HttpStatusError('model (no message content)', 502);
  return content;
}

/**
 * Parse and check the model's answer.
 * @example validateAnswer('{"summary":"Sales rose.","sentiment":"positive"}') // { summary: 'Sales rose.', sentiment: 'positive' }
 * @example validateAnswer('Sure! Here is a summary…') // throws MalformedAnswerError
 */
export function validateAnswer(content: string): ModelAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw new MalformedAnswerError(`answer is not JSON (${(error as Error).message}): ${preview(content)}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new MalformedAnswerError(`answer is not a JSON object: ${preview(content)}`);
  const { summary, sentiment } = parsed as Record<string, unknown>;
  if (typeof summary !== 'string' || summary.trim() === '') throw new MalformedAnswerError('answer has no "summary" text');
  if (sentiment !== 'positive' && sentiment !== 'negative' && sentiment !== 'neutral') {
    throw new MalformedAnswerError(`answer has an invalid "sentiment": ${JSON.stringify(sentiment)}`);
  }
  return { summary: summary.trim(), sentiment };
}

/**
 * Write `<outDir>/<id>.json` via a temporary file and a rename: a worker killed
 * mid-write never leaves a half-written result, and a worker that re-runs this step
 * after a takeover simply replaces the file (the step is idempotent).
 */
async function writeResult(config: PipelineConfig, documentId: string, answer: ModelAnswer, modelRounds: number) {
  await mkdir(config.outDir, { recursive: true });
  const path = join(config.outDir, `${documentId}.json`);
  const temporary = `${path}.${process.pid}.tmp`;
  const record = { documentId, ...answer, modelRounds, writtenBy: config.workerName, writtenAt: new Date().toISOString() };
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temporary, path);
  return { path, writtenBy: config.workerName };
}

function preview(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
