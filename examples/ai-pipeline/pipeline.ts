/**
 * The example AI pipeline as a durable workflow: fetch a document, ask a model for its
 * summary, write the result. Every step is checkpointed, so a worker killed at any point
 * resumes from the last completed step on another worker. The model step is
 * `models.call`: the chain swift → sage, the answer checked against a schema and re-asked
 * with the errors when it does not match (or is truncated), within a durable budget.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineWorkflow, TerminalError, type Models, type WorkflowDefinition } from '../../src/index.js';
import type { SourceDocument } from './document-source.js';

export const WORKFLOW_NAME = 'summarize-document';

/** Where this worker finds its services and writes results; not part of the run's input. */
export interface PipelineConfig {
  /** Base URL of the document source. */
  documentsUrl: string;
  /** Folder for the per-document result files. */
  outDir: string;
  /** Recorded in each result file, to show which worker wrote it. */
  workerName: string;
}

export interface SummarizeInput {
  documentId: string;
}

/** What the model must answer: checked by `models.call`, re-asked with the errors when it does not match. */
export const answerSchema = z.object({
  summary: z.string().trim().min(1),
  sentiment: z.enum(['positive', 'negative', 'neutral']),
});
export type ModelAnswer = z.infer<typeof answerSchema>;

export interface SummarizeOutput extends ModelAnswer {
  documentId: string;
  outputPath: string;
  /** The provider whose answer was accepted. */
  provider: string;
  /** Model attempts of the call: fall-overs, re-asks and retries included. */
  modelAttempts: number;
  /** The worker whose result file it is (recorded by `write-result`). */
  writtenBy: string;
  /** The worker that completed the run: after a takeover, not necessarily the writer. */
  finishedBy: string;
  /** From the run's first step to its end, in workflow (recorded) time. */
  elapsedMs: number;
}

/** A non-2xx HTTP answer. 5xx is worth retrying; 4xx is not. */
export class HttpStatusError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  constructor(what: string, status: number) {
    super(`${what} answered HTTP ${status}`);
    this.name = 'HttpStatusError';
    this.code = `HTTP_${status}`;
    this.status = status;
    this.retryable = status >= 500 || status === 429;
  }
}

/**
 * Build the workflow for one worker's configuration and model steps. Every worker
 * registers the same name and step sequence; only where it finds services and writes
 * files differs.
 */
export function summarizeDocumentWorkflow(config: PipelineConfig, models: Models): WorkflowDefinition<SummarizeInput, SummarizeOutput> {
  return defineWorkflow<SummarizeInput, SummarizeOutput>(WORKFLOW_NAME, async (ctx, input) => {
    const startedAt = await ctx.now();

    const document = await ctx.step('fetch-document', ({ signal }) => fetchDocument(config.documentsUrl, input.documentId, signal), {
      timeout: '1s',
      retry: { maxAttempts: 6, initialDelay: '100ms', maxDelay: '1s' },
    });

    // One durable step (`model:summarize`): the chain, the schema, the re-asks and the
    // budget are the model step's; a replay after a takeover returns the recorded answer.
    const answer = await models.call(ctx, 'summarize', {
      system: 'Summarize the document in one sentence. Answer only JSON: {"summary": string, "sentiment": "positive"|"negative"|"neutral"}.',
      prompt: `${document.title}\n${document.body}`,
      output: answerSchema,
    });

    const written = await ctx.step('write-result', () => writeResult(config, input.documentId, answer.value, answer.provider), {
      // The saga's undo: if anything after this step failed (or the run were cancelled),
      // the engine would run this durably so no result file outlives a failed run.
      compensate: (result) => rm(result.path, { force: true }),
    });

    const finishedAt = await ctx.now();
    return {
      documentId: input.documentId,
      ...answer.value,
      provider: answer.provider,
      modelAttempts: answer.attempts,
      outputPath: written.path,
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

/**
 * Write `<outDir>/<id>.json` via a temporary file and a rename: a worker killed
 * mid-write never leaves a half-written result, and a worker that re-runs this step
 * after a takeover simply replaces the file (the step is idempotent).
 */
async function writeResult(config: PipelineConfig, documentId: string, answer: ModelAnswer, provider: string) {
  await mkdir(config.outDir, { recursive: true });
  const path = join(config.outDir, `${documentId}.json`);
  const temporary = `${path}.${process.pid}.tmp`;
  const record = { documentId, ...answer, provider, writtenBy: config.workerName, writtenAt: new Date().toISOString() };
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temporary, path);
  return { path, writtenBy: config.workerName };
}
