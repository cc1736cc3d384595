/**
 * The derived data of the index-repair example: a word → record-ids index built from a
 * source of truth (a JSON file of records). The index file carries the SHA-256 of the source
 * it was built from and of its own entries, so a reader can tell a corrupt index (truncated,
 * garbled, hand-edited) from a stale one, and a rebuild can always start from the source.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** One record of the source of truth. */
export interface SourceRecord {
  id: string;
  title: string;
}

/** The index file: entries plus the checksums that make corruption detectable. */
export interface SearchIndex {
  sourceSha256: string;
  entriesSha256: string;
  entries: Record<string, string[]>;
}

/** Why an index file cannot be served. */
export type IndexProblem = 'missing' | 'unreadable' | 'checksum-mismatch';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The index of `sourceText` (a JSON array of records): each lower-case word of a title maps
 * to the ids of the records whose title has it, sorted, so one source gives one index.
 * @example buildIndex('[{"id":"1","title":"Red shoe"}]').entries // { red: ['1'], shoe: ['1'] }
 */
export function buildIndex(sourceText: string): SearchIndex {
  const records = JSON.parse(sourceText) as SourceRecord[];
  const entries: Record<string, string[]> = {};
  for (const record of records) {
    for (const word of new Set(record.title.toLowerCase().split(/\W+/).filter(Boolean))) (entries[word] ??= []).push(record.id);
  }
  const sorted = Object.fromEntries(Object.keys(entries).sort().map((word) => [word, entries[word]!.sort()]));
  return { sourceSha256: sha256(sourceText), entriesSha256: sha256(JSON.stringify(sorted)), entries: sorted };
}

/** Read and check an index file: the index, or why it cannot be served. */
export function readIndex(path: string): { index: SearchIndex } | { problem: IndexProblem; detail: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { problem: 'missing', detail: (error as Error).message };
  }
  let index: SearchIndex;
  try {
    index = JSON.parse(text) as SearchIndex;
  } catch (error) {
    return { problem: 'unreadable', detail: `not JSON: ${(error as Error).message}` };
  }
  if (typeof index?.entries !== 'object' || index.entries === null) return { problem: 'unreadable', detail: 'no entries' };
  if (sha256(JSON.stringify(index.entries)) !== index.entriesSha256) return { problem: 'checksum-mismatch', detail: 'the entries do not match their checksum' };
  return { index };
}

/** Write an index whole or not at all: a reader never sees half a file (write, then rename). */
export function writeIndexAtomically(path: string, text: string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}
