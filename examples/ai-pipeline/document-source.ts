/**
 * A local stand-in for the document source the AI pipeline reads, with the faults such a
 * service really has, injected on purpose:
 *
 * - `GET /documents/:id`: sometimes answers 503, sometimes answers too slowly for the
 *   client's timeout.
 * - `GET /stats`: how many faults of each kind were injected.
 *
 * The model side is two stand-in providers speaking the real wire formats (providers.ts).
 * Faults are drawn from a seeded hash of (document, nth request for it) rather than from
 * one random stream, so a given seed injects the same faults into the same documents
 * whatever order concurrent workers send their requests in.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../src/index.js';

/** Probability (0–1) of each fault, per request. */
export interface FaultRates {
  /** Document source answers 503 Service Unavailable. */
  documentUnavailable: number;
  /** Document source answers after `slowDocumentMs` (past the client timeout). */
  documentSlow: number;
}

export interface DocumentSourceOptions {
  seed?: number;
  faults?: Partial<FaultRates>;
  /**
   * After this many faults in a row for one document, the next request succeeds. Flaky
   * services recover; this bound is what lets a finite retry budget guarantee that every
   * run of the demo completes.
   */
  maxConsecutiveFaults?: number;
  slowDocumentMs?: number;
}

/** Counters exposed at `GET /stats`. */
export interface FaultStats {
  documentRequests: number;
  documentUnavailable: number;
  documentSlow: number;
}

export interface DocumentSource {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  stats(): FaultStats;
  close(): Promise<void>;
}

export const DEFAULT_FAULT_RATES: FaultRates = {
  documentUnavailable: 0.15,
  documentSlow: 0.08,
};

export interface SourceDocument {
  id: string;
  title: string;
  body: string;
}

const POSITIVE = ['record', 'praised', 'growth', 'delighted'];
const NEGATIVE = ['outage', 'delayed', 'complaints', 'decline'];

/**
 * Start the document source on 127.0.0.1 (port 0 picks a free one).
 * @example const source = await startDocumentSource({ seed: 7 }); await fetch(`${source.url}/documents/doc-01`);
 */
export async function startDocumentSource(options: DocumentSourceOptions = {}, port = 0): Promise<DocumentSource> {
  const seed = options.seed ?? 42;
  const rates: FaultRates = { ...DEFAULT_FAULT_RATES, ...options.faults };
  const maxConsecutive = options.maxConsecutiveFaults ?? 3;
  const slowDocumentMs = options.slowDocumentMs ?? 2_500;

  const stats: FaultStats = { documentRequests: 0, documentUnavailable: 0, documentSlow: 0 };
  const requestCounts = new Map<string, number>();
  const faultStreaks = new Map<string, number>();

  /** A uniform draw in [0, 1) for the nth request about `key`, plus whether faults are still allowed. */
  function draw(key: string): { u: number; mayFault: boolean } {
    const n = (requestCounts.get(key) ?? 0) + 1;
    requestCounts.set(key, n);
    const next = seededRandom(fnv1a(`${seed}|${key}|${n}`));
    return { u: next(), mayFault: (faultStreaks.get(key) ?? 0) < maxConsecutive };
  }
  function recordOutcome(key: string, faulted: boolean): void {
    faultStreaks.set(key, faulted ? (faultStreaks.get(key) ?? 0) + 1 : 0);
  }

  async function handleDocument(id: string, res: ServerResponse): Promise<void> {
    stats.documentRequests++;
    if (!/^doc-\d+$/.test(id)) return sendJson(res, 404, { error: `no document ${id}` });
    const key = `doc|${id}`;
    const { u, mayFault } = draw(key);
    if (mayFault && u < rates.documentUnavailable) {
      stats.documentUnavailable++;
      recordOutcome(key, true);
      return sendJson(res, 503, { error: 'document store is restarting' });
    }
    if (mayFault && u < rates.documentUnavailable + rates.documentSlow) {
      stats.documentSlow++;
      recordOutcome(key, true);
      if (!(await delay(slowDocumentMs, res))) return;
    } else {
      recordOutcome(key, false);
    }
    sendJson(res, 200, makeDocument(id));
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const documentMatch = /^\/documents\/([^/]+)$/.exec(url.pathname);
    let handled: Promise<void> | void;
    if (req.method === 'GET' && documentMatch) handled = handleDocument(decodeURIComponent(documentMatch[1]!), res);
    else if (req.method === 'GET' && url.pathname === '/stats') handled = sendJson(res, 200, stats);
    else handled = sendJson(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    void Promise.resolve(handled).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
      else res.destroy();
    });
  });

  await listen(server, port);
  const { port: actualPort } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actualPort}`,
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        // Slow answers would otherwise hold close() open for slowDocumentMs.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The document text the source serves for an id: deterministic, so answers are too. */
export function makeDocument(id: string): SourceDocument {
  const next = seededRandom(fnv1a(`document|${id}`));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const subject = pick(['The northern plant', 'Our checkout service', 'The field team', 'The battery line', 'Customer support']);
  const tone = pick([
    ['reported record sales this quarter.', 'Customers praised the change.'],
    ['showed strong growth in new markets.', 'The board was delighted.'],
    ['suffered an outage on Monday.', 'Complaints doubled overnight.'],
    ['delayed its launch again.', 'A decline in orders followed.'],
    ['shipped on schedule.', 'Numbers were flat and no one was surprised.'],
  ]);
  return { id, title: `Report ${id}`, body: `${subject} ${tone[0]} ${tone[1]} Reference ${id}.` };
}

/**
 * What a well-behaved model answers for a prompt holding a document (the providers'
 * stand-ins use it): its first sentence and a sentiment from a few telling words.
 * @example summarize('Report doc-01\nThe battery line shipped on schedule. …') // { summary: 'The battery line shipped on schedule.', sentiment: 'neutral' }
 */
export function summarize(prompt: string): { summary: string; sentiment: 'positive' | 'negative' | 'neutral' } {
  // The document's body is the line after its title, wherever it sits in a conversation (a re-ask adds lines after it).
  const body = /Report doc-\d+\n([^\n]*)/.exec(prompt)?.[1] ?? prompt.split('\n').at(-1) ?? prompt;
  const text = body.toLowerCase();
  const score = POSITIVE.filter((w) => text.includes(w)).length - NEGATIVE.filter((w) => text.includes(w)).length;
  const firstSentence = /[^.]*\./.exec(body)?.[0]?.trim() ?? body.slice(0, 80);
  return { summary: firstSentence, sentiment: score > 0 ? 'positive' : score < 0 ? 'negative' : 'neutral' };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Wait `ms`, or less if the client goes away; false when it went away (nothing to answer). */
function delay(ms: number, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    res.once('close', onClose);
  });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** 32-bit FNV-1a: a small, stable string hash for seeding. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
