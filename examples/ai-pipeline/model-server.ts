/**
 * A local stand-in for the two services the AI pipeline depends on, with the faults
 * such services really have, injected on purpose:
 *
 * - `GET /documents/:id`: the document source. Sometimes answers 503, sometimes
 *   answers too slowly for the client's timeout.
 * - `POST /v1/chat/completions`: an OpenAI-style model endpoint that summarizes the
 *   document as JSON `{ "summary", "sentiment" }` in the assistant message. Sometimes
 *   it hangs past the client's timeout, answers 429 with `Retry-After`, or answers with
 *   malformed JSON (truncated, or chatty prose instead of JSON) — the classic LLM failure.
 * - `GET /stats`: how many faults of each kind were injected.
 *
 * Faults are drawn from a seeded hash of (endpoint, document, nth request for it) rather
 * than from one random stream, so a given seed injects the same faults into the same
 * documents whatever order concurrent workers send their requests in.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../src/index.js';

/** Probability (0–1) of each fault, per request. */
export interface FaultRates {
  /** Document source answers 503 Service Unavailable. */
  documentUnavailable: number;
  /** Document source answers after `slowDocumentMs` (past the client timeout). */
  documentSlow: number;
  /** Model holds the request for `hangMs` (past the client timeout). */
  modelHang: number;
  /** Model answers 200 with content that is not the requested JSON. */
  modelMalformed: number;
  /** Model answers 429 with a `Retry-After` header. */
  modelRateLimited: number;
}

export interface ModelServerOptions {
  seed?: number;
  faults?: Partial<FaultRates>;
  /**
   * After this many faults in a row for one document on one endpoint, the next request
   * succeeds. Flaky services recover; this bound is what lets a finite retry budget
   * guarantee that every run of the demo completes.
   */
  maxConsecutiveFaults?: number;
  hangMs?: number;
  slowDocumentMs?: number;
  retryAfterSeconds?: number;
  /** Latency of a healthy model answer, drawn uniformly from [min, max] ms. */
  modelLatencyMs?: [number, number];
}

/** Counters exposed at `GET /stats`. */
export interface FaultStats {
  documentRequests: number;
  modelRequests: number;
  documentUnavailable: number;
  documentSlow: number;
  modelHang: number;
  modelMalformedTruncated: number;
  modelMalformedProse: number;
  modelRateLimited: number;
}

export interface ModelServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  stats(): FaultStats;
  close(): Promise<void>;
}

export const DEFAULT_FAULT_RATES: FaultRates = {
  documentUnavailable: 0.15,
  documentSlow: 0.08,
  modelHang: 0.1,
  modelMalformed: 0.18,
  modelRateLimited: 0.1,
};

/** A request to the model endpoint, OpenAI chat-completions style. */
export interface ChatRequest {
  model: string;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
}

export interface SourceDocument {
  id: string;
  title: string;
  body: string;
}

const POSITIVE = ['record', 'praised', 'growth', 'delighted'];
const NEGATIVE = ['outage', 'delayed', 'complaints', 'decline'];

/**
 * Start the stand-in on 127.0.0.1 (port 0 picks a free one).
 * @example const server = await startModelServer({ seed: 7 }); await fetch(`${server.url}/stats`);
 */
export async function startModelServer(options: ModelServerOptions = {}, port = 0): Promise<ModelServer> {
  const seed = options.seed ?? 42;
  const rates: FaultRates = { ...DEFAULT_FAULT_RATES, ...options.faults };
  const maxConsecutive = options.maxConsecutiveFaults ?? 3;
  const hangMs = options.hangMs ?? 8_000;
  const slowDocumentMs = options.slowDocumentMs ?? 2_500;
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  const [minLatency, maxLatency] = options.modelLatencyMs ?? [50, 250];

  const stats: FaultStats = {
    documentRequests: 0,
    modelRequests: 0,
    documentUnavailable: 0,
    documentSlow: 0,
    modelHang: 0,
    modelMalformedTruncated: 0,
    modelMalformedProse: 0,
    modelRateLimited: 0,
  };
  const requestCounts = new Map<string, number>();
  const faultStreaks = new Map<string, number>();

  /** A uniform draw in [0, 1) for the nth request about `key`, plus whether faults are still allowed. */
  function draw(key: string): { u: number; v: number; mayFault: boolean } {
    const n = (requestCounts.get(key) ?? 0) + 1;
    requestCounts.set(key, n);
    const next = seededRandom(fnv1a(`${seed}|${key}|${n}`));
    return { u: next(), v: next(), mayFault: (faultStreaks.get(key) ?? 0) < maxConsecutive };
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

  async function handleModel(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.modelRequests++;
    let request: ChatRequest;
    try {
      request = JSON.parse(await readBody(req)) as ChatRequest;
    } catch {
      return sendJson(res, 400, { error: { message: 'request body is not JSON' } });
    }
    const prompt = request.messages?.find((m) => m.role === 'user')?.content;
    if (typeof prompt !== 'string') return sendJson(res, 400, { error: { message: 'no user message' } });

    // Keyed by the prompt itself: the model knows nothing of document ids.
    const key = `model|${fnv1a(prompt)}`;
    const { u, v, mayFault } = draw(key);
    let threshold = rates.modelHang;
    if (mayFault && u < threshold) {
      stats.modelHang++;
      recordOutcome(key, true);
      if (!(await delay(hangMs, res))) return;
      return sendCompletion(res, request.model, JSON.stringify(summarize(prompt)));
    }
    if (mayFault && u < (threshold += rates.modelRateLimited)) {
      stats.modelRateLimited++;
      recordOutcome(key, true);
      res.setHeader('Retry-After', String(retryAfterSeconds));
      return sendJson(res, 429, { error: { message: 'rate limit reached, slow down' } });
    }
    if (!(await delay(minLatency + v * (maxLatency - minLatency), res))) return;
    if (mayFault && u < threshold + rates.modelMalformed) {
      recordOutcome(key, true);
      const good = JSON.stringify(summarize(prompt));
      if (v < 0.5) {
        stats.modelMalformedTruncated++;
        return sendCompletion(res, request.model, good.slice(0, Math.max(8, Math.floor(good.length * 0.6))));
      }
      stats.modelMalformedProse++;
      return sendCompletion(res, request.model, `Sure! Here is a short summary of the document: ${summarize(prompt).summary}`);
    }
    recordOutcome(key, false);
    sendCompletion(res, request.model, JSON.stringify(summarize(prompt)));
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const documentMatch = /^\/documents\/([^/]+)$/.exec(url.pathname);
    let handled: Promise<void> | void;
    if (req.method === 'GET' && documentMatch) handled = handleDocument(decodeURIComponent(documentMatch[1]!), res);
    else if (req.method === 'POST' && url.pathname === '/v1/chat/completions') handled = handleModel(req, res);
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
        // Hanging requests would otherwise hold close() open for hangMs.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Total malformed answers, both kinds. */
export function malformedCount(stats: FaultStats): number {
  return stats.modelMalformedTruncated + stats.modelMalformedProse;
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

function summarize(prompt: string): { summary: string; sentiment: 'positive' | 'negative' | 'neutral' } {
  const text = prompt.toLowerCase();
  const score =
    POSITIVE.filter((w) => text.includes(w)).length - NEGATIVE.filter((w) => text.includes(w)).length;
  const firstSentence = /[^.]*\./.exec(prompt.split('\n').at(-1) ?? prompt)?.[0]?.trim() ?? prompt.slice(0, 80);
  return { summary: firstSentence, sentiment: score > 0 ? 'positive' : score < 0 ? 'negative' : 'neutral' };
}

function sendCompletion(res: ServerResponse, model: string, content: string): void {
  sendJson(res, 200, {
    id: `chatcmpl-${Math.random().toString(36).slice(2, 10)}`,
    object: 'chat.completion',
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  });
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

const MAX_BODY_BYTES = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
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
