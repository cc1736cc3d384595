/**
 * The runbook of the index-repair example, loaded by `homeostat up` from
 * `workflows.modules`: rebuild the search index from its source of truth after a
 * corruption symptom. Durable: each step is checkpointed, so a crash of `up` mid-runbook
 * resumes it under the next leader instead of starting over or running it twice; and
 * compensated: if the rebuilt index is not accepted by the service, the previous copy is
 * put back, so the repair never leaves things worse than it found them.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineWorkflow, TerminalError } from '../../src/index.js';
import { buildIndex, writeIndexAtomically } from './search-index.js';

/** The rung's `input:` in homeostat.yaml. */
export interface RebuildIndexInput {
  /** The source of truth (a JSON array of records). */
  source: string;
  /** The index file the service serves. */
  index: string;
  /** The service's readiness URL: it must accept the rebuilt index. */
  ready: string;
  /** How long the service may take to accept it (default 10 s). */
  acceptWithinMs?: number;
  /** Demos and tests: the rebuild waits while this file exists (to show a crash of `up` mid-runbook). */
  holdWhile?: string;
}

export interface RebuildIndexOutput {
  words: number;
  sourceSha256: string;
  /** Where the index as found (corrupt or not) was kept. */
  previousCopy: string;
}

export const rebuildSearchIndex = defineWorkflow('rebuild-search-index', async (ctx, input: RebuildIndexInput): Promise<RebuildIndexOutput> => {
  const previousCopy = `${input.index}.before-${ctx.runId}`;
  await ctx.step(
    'keep-previous-copy',
    () => {
      if (existsSync(input.index)) copyFileSync(input.index, previousCopy);
      return existsSync(previousCopy);
    },
    // Undo of the whole repair: the index goes back to what it was before this run.
    { compensate: (kept) => (kept ? writeIndexAtomically(input.index, readFileSync(previousCopy, 'utf8')) : undefined) },
  );
  const built = await ctx.step('rebuild-from-source', async ({ signal }) => {
    while (input.holdWhile && existsSync(input.holdWhile)) await sleep(100, undefined, { signal });
    const index = buildIndex(readFileSync(input.source, 'utf8'));
    writeIndexAtomically(input.index, JSON.stringify(index));
    return { words: Object.keys(index.entries).length, sourceSha256: index.sourceSha256 };
  });
  await ctx.step(
    'service-accepts-it',
    async ({ signal }) => {
      const deadline = Date.now() + (input.acceptWithinMs ?? 10_000);
      let last = '';
      while (Date.now() < deadline) {
        try {
          const response = await fetch(input.ready, { signal: AbortSignal.any([signal, AbortSignal.timeout(2_000)]) });
          if (response.ok) return;
          last = `HTTP ${response.status}: ${(await response.text()).trim()}`;
        } catch (error) {
          if (signal.aborted) throw error;
          last = (error as Error).message;
        }
        await sleep(200, undefined, { signal });
      }
      // Not retried: the same index would be refused again. Compensation restores the previous copy.
      throw new TerminalError(`the service did not accept the rebuilt index: ${last}`);
    },
    { retry: false },
  );
  return { ...built, previousCopy };
});
