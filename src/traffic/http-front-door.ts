import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ExposeConfig } from '../config/schema/expose.js';
import { Balancer, type Upstream } from './balancer.js';
import type { InFlight } from './in-flight.js';
import type { ReplicaOutcomes } from './replica-outcomes.js';
import { endToEndHeaders, upstreamHeaders } from './proxy-headers.js';
import { isIdempotent, neverDelivered } from './retry-rules.js';
import type { TrafficMetrics } from './traffic-metrics.js';
import { listenOn } from './listen.js';

/** Free keep-alive sockets to a replica are closed after this: below Node's 5 s server keep-alive, so the replica never closes one as it is reused. */
const FREE_SOCKET_TIMEOUT_MS = 4_000;

export interface FrontDoorDeps {
  service: string;
  expose: ExposeConfig;
  /** The replicas that take traffic now (read per request). */
  upstreams: () => Upstream[];
  inFlight: InFlight;
  metrics: TrafficMetrics;
  /** Where each request's outcome per replica goes (what a canary is judged on). */
  outcomes: ReplicaOutcomes;
}

/**
 * A service's HTTP front door: each request goes to one ready replica (see {@link Balancer})
 * over a keep-alive connection, streamed both ways (bodies are not buffered); hop-by-hop
 * headers are dropped and `X-Forwarded-For` appended. When the replica's connection fails
 * before an answer started, the request goes once to another ready replica if it is safe
 * to send again: it never reached the first (connection refused), or it is idempotent
 * (see retry-rules.ts) and its body, if any, was small enough to keep (`retryBodyLimit`).
 * No ready replica: 503 with a body that says so.
 *
 * @example const door = new HttpFrontDoor(deps); await door.listen(); … await door.close();
 * @example // api#0 SIGKILLed under a GET: the GET is answered by api#1, counted in homeostat_front_door_retries_total
 */
export class HttpFrontDoor {
  private readonly server: Server;
  private readonly balancer: Balancer;
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly deps: FrontDoorDeps) {
    this.balancer = new Balancer(deps.expose.balance, deps.inFlight);
    this.server = createServer((req, res) => this.handle(req, res));
  }

  listen(): Promise<void> {
    return listenOn(this.server, this.deps.expose.port, this.deps.expose.host);
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://${this.deps.expose.host}:${port}`;
  }

  /** Close idle keep-alive connections to `instance` (drained, about to stop): none is reused towards its next process. */
  forget(instance: string): void {
    this.agents.get(instance)?.destroy();
    this.agents.delete(instance);
  }

  /**
   * Stop accepting; idle caller connections close at once, busy ones after their answer or
   * at most 1 s (`up` closes its doors after every replica stopped: nothing is left to serve).
   */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const cut = setTimeout(() => this.server.closeAllConnections(), 1_000);
    cut.unref();
    for (const instance of [...this.agents.keys()]) this.forget(instance);
    await closed;
    clearTimeout(cut);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const { service, expose } = this.deps;
    const first = this.balancer.pick(this.deps.upstreams());
    if (!first) {
      this.deps.metrics.failed.inc({ service, reason: 'no_ready_replica' });
      answerError(res, 503, `homeostat front door: no ready replica of ${service}\n`);
      req.resume();
      return;
    }
    const body = new KeptBody(req, expose.retryBodyLimit);
    this.attempt(req, res, first, body, new Set());
  }

  private attempt(req: IncomingMessage, res: ServerResponse, target: Upstream, body: KeptBody, tried: Set<string>): void {
    const { service, metrics } = this.deps;
    tried.add(target.instance);
    const done = this.deps.inFlight.begin(target.instance);
    const sentAt = performance.now();
    let answered = false;
    const upstream = request({
      host: '127.0.0.1',
      port: target.port,
      method: req.method,
      path: req.url,
      headers: upstreamHeaders(req.headers, req.socket.remoteAddress),
      agent: this.agentFor(target),
    });
    // The caller went away: stop the upstream request (what the replica already did stays done).
    const onClientGone = () => {
      if (!res.writableFinished) upstream.destroy();
      done();
    };
    res.once('close', onClientGone);
    upstream.on('response', (answer) => {
      answered = true;
      this.deps.outcomes.record(target.instance, { ok: (answer.statusCode ?? 500) < 500, latencyMs: performance.now() - sentAt });
      metrics.requests.inc({ service, replica: target.instance, status: `${Math.floor((answer.statusCode ?? 500) / 100)}xx` });
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEndHeaders(answer.headers));
      answer.pipe(res);
      answer.once('error', () => res.destroy());
      answer.once('end', done);
      // Cut mid-answer (the replica died): the caller must see a broken answer, not a short one.
      answer.once('close', () => {
        if (answer.complete) return;
        metrics.upstreamErrors.inc({ service, replica: target.instance });
        res.destroy();
      });
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      done();
      res.off('close', onClientGone);
      if (res.destroyed || (res.writableEnded && !answered)) return; // the caller is gone: nothing to answer
      if (answered) {
        res.destroy(); // counted where the answer was cut
        return;
      }
      metrics.upstreamErrors.inc({ service, replica: target.instance });
      this.deps.outcomes.record(target.instance, { ok: false });
      const retry = tried.size === 1 && (neverDelivered(error) || (this.deps.expose.retry && isIdempotent(req.method, req.headers)));
      const next = retry ? this.balancer.pick(this.deps.upstreams(), tried) : undefined;
      if (!next) {
        metrics.failed.inc({ service, reason: 'upstream_failed' });
        answerError(res, 502, `homeostat front door: ${target.instance} of ${service} failed (${error.code ?? error.message}) before answering\n`);
        return;
      }
      void body.whole().then((kept) => {
        if (kept === undefined || res.destroyed) {
          metrics.failed.inc({ service, reason: 'upstream_failed' });
          answerError(res, 502, `homeostat front door: ${target.instance} of ${service} failed (${error.code ?? error.message}) and the request body is too large to send again\n`);
          return;
        }
        metrics.retries.inc({ service });
        this.attempt(req, res, next, body, tried);
      });
    });
    if (tried.size === 1) req.pipe(upstream);
    else void body.whole().then((kept) => upstream.end(kept));
  }

  private agentFor(target: Upstream): Agent {
    let agent = this.agents.get(target.instance);
    if (!agent) {
      agent = new Agent({ keepAlive: true, timeout: FREE_SOCKET_TIMEOUT_MS, scheduling: 'lifo' });
      this.agents.set(target.instance, agent);
    }
    return agent;
  }
}

/**
 * A copy of a request body while it streams to the first replica, kept for a retry when it
 * is at most `limit` bytes; a larger one is not copied further.
 */
class KeptBody {
  private chunks: Buffer[] = [];
  private size = 0;
  private tooLarge = false;
  private readonly ended: Promise<boolean>;

  constructor(req: IncomingMessage, private readonly limit: number) {
    req.on('data', (chunk: Buffer) => {
      if (this.tooLarge) return;
      this.size += chunk.length;
      if (this.size > this.limit) {
        this.tooLarge = true;
        this.chunks = [];
      } else this.chunks.push(chunk);
    });
    this.ended = new Promise((resolve) => {
      req.once('end', () => resolve(true));
      req.once('close', () => resolve(req.complete));
    });
  }

  /** The whole body once the caller sent it; undefined when it was too large or the caller went away. */
  async whole(): Promise<Buffer | undefined> {
    const complete = await this.ended;
    return complete && !this.tooLarge ? Buffer.concat(this.chunks) : undefined;
  }
}

function answerError(res: ServerResponse, status: 502 | 503, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...(status === 503 ? { 'retry-after': '1' } : {}) });
  res.end(text);
}
