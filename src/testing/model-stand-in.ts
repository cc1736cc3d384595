import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the stand-in does with one request. Scripted per request with `script(...)`, or for
 * every request with `always(...)`; without either it answers normally.
 */
export type StandInBehaviour =
  /** 429 with `Retry-After` (seconds) or `retry-after-ms`. */
  | { kind: 'rate-limit'; retryAfterSeconds?: number; retryAfterMs?: number }
  /** A 5xx (default 500), or another status to test 4xx handling. */
  | { kind: 'status'; status?: number }
  /** Destroy the connection without answering. */
  | { kind: 'reset' }
  /** Accept the request and never answer (until the client gives up). */
  | { kind: 'hang' }
  /** Stream `chunks` tokens, then go silent with the connection open. */
  | { kind: 'stall'; chunks?: number }
  /** Stream half the answer, then close the stream without its final event. */
  | { kind: 'cut-stream' }
  /** Answer `text` (e.g. unterminated or schema-invalid JSON) with this finish. */
  | { kind: 'answer'; text: string; finish?: 'stop' | 'length' }
  /** Answer normally, each streamed token `tokenDelayMs` apart. */
  | { kind: 'slow'; tokenDelayMs: number };

export interface ModelStandInOptions {
  /** The wire format served: OpenAI chat completions or Anthropic messages. */
  kind: 'openai' | 'anthropic';
  /** The answer's text for a request, when no behaviour says otherwise (default `{"ok":true}`). */
  answer?: (request: { model: string; prompt: string }) => string;
  /** Delay between streamed tokens (default 0). */
  tokenDelayMs?: number;
}

/** What the stand-in has seen and sent. */
export interface StandInCounts {
  /** Requests received. */
  requests: number;
  /** Answers sent complete (a billed completion on a real provider). */
  completions: number;
  inputTokens: number;
  outputTokens: number;
}

/** A running stand-in provider: see {@link startModelStandIn}. */
export interface ModelStandIn {
  /** The `baseUrl` to configure (`…/v1` for OpenAI-style, the origin for Anthropic-style). */
  readonly baseUrl: string;
  readonly counts: StandInCounts;
  /** The bodies of the requests received, parsed. */
  readonly requests: unknown[];
  /** Queue behaviours for the next requests, one each, in order. */
  script(...behaviours: StandInBehaviour[]): void;
  /** Behave like this for every request once the script is used up (`undefined`: answer normally). */
  always(behaviour: StandInBehaviour | undefined): void;
  close(): Promise<void>;
}

/** Text → "tokens": 4-character pieces, roughly what a real tokenizer gives English text. */
function tokens(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += 4) pieces.push(text.slice(i, i + 4));
  return pieces;
}

/**
 * A local model provider speaking the real wire format — OpenAI chat completions
 * (`POST /v1/chat/completions`) or Anthropic messages (`POST /v1/messages`), streamed
 * (SSE) or not — with scriptable faults, so tests and demos exercise the same code paths a
 * real provider does. It lives in `homeostat/testing` because both the test suite and the
 * pipeline demo drive it; it has no dependency beyond `node:http`.
 *
 * @example const server = await startModelStandIn({ kind: 'openai' }); server.script({ kind: 'rate-limit', retryAfterSeconds: 1 });
 * @example const claude = await startModelStandIn({ kind: 'anthropic', answer: () => '{"summary":"…"}' });
 */
export async function startModelStandIn(options: ModelStandInOptions): Promise<ModelStandIn> {
  const queue: StandInBehaviour[] = [];
  let standing: StandInBehaviour | undefined;
  const counts: StandInCounts = { requests: 0, completions: 0, inputTokens: 0, outputTokens: 0 };
  const received: unknown[] = [];
  const answerFor = options.answer ?? (() => '{"ok":true}');
  const path = options.kind === 'openai' ? '/v1/chat/completions' : '/v1/messages';

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== path) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      model: string;
      stream?: boolean;
      system?: string;
      messages: { content: string }[];
    };
    received.push(body);
    counts.requests++;
    const behaviour = queue.shift() ?? standing;
    const prompt = [body.system ?? '', ...body.messages.map((m) => m.content)].join('\n');
    const inputTokens = Math.ceil(prompt.length / 4);
    const stream = body.stream === true;
    switch (behaviour?.kind) {
      case 'rate-limit': {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (behaviour.retryAfterMs !== undefined) headers['retry-after-ms'] = String(behaviour.retryAfterMs);
        if (behaviour.retryAfterSeconds !== undefined) headers['retry-after'] = String(behaviour.retryAfterSeconds);
        res.writeHead(429, headers).end(JSON.stringify({ error: { type: 'rate_limit_error', message: 'rate limited' } }));
        return;
      }
      case 'status':
        res.writeHead(behaviour.status ?? 500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'stand-in failure' } }));
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return; // the response stays open until the client aborts or the server closes
      default:
    }
    const text = behaviour?.kind === 'answer' ? behaviour.text : answerFor({ model: body.model, prompt });
    const finish = behaviour?.kind === 'answer' ? behaviour.finish ?? 'stop' : 'stop';
    const pieces = tokens(text);
    const usage = { input: inputTokens, output: pieces.length };
    if (!stream) {
      counts.completions++;
      counts.inputTokens += usage.input;
      counts.outputTokens += usage.output;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(wholeAnswer(options.kind, body.model, text, finish, usage)));
      return;
    }
    const delayMs = behaviour?.kind === 'slow' ? behaviour.tokenDelayMs : options.tokenDelayMs ?? 0;
    const send = (event: string | undefined, data: unknown) =>
      res.write(`${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const events = streamEvents(options.kind, body.model, pieces, finish, usage);
    const stopAt =
      behaviour?.kind === 'stall' ? 1 + (behaviour.chunks ?? 2) : behaviour?.kind === 'cut-stream' ? 1 + Math.floor(pieces.length / 2) : events.length;
    for (const [i, [event, data]] of events.entries()) {
      if (i >= stopAt) break;
      if (res.destroyed) return;
      send(event, data);
      if (delayMs > 0 && i > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    if (behaviour?.kind === 'stall') return; // silent, connection open
    if (behaviour?.kind === 'cut-stream') {
      res.end();
      return;
    }
    counts.completions++;
    counts.inputTokens += usage.input;
    counts.outputTokens += usage.output;
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseUrl: options.kind === 'openai' ? `${origin}/v1` : origin,
    counts,
    requests: received,
    script: (...behaviours) => void queue.push(...behaviours),
    always: (behaviour) => void (standing = behaviour),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function wholeAnswer(kind: 'openai' | 'anthropic', model: string, text: string, finish: 'stop' | 'length', usage: { input: number; output: number }): unknown {
  if (kind === 'openai') {
    return {
      id: 'chatcmpl-stand-in',
      object: 'chat.completion',
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
      usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output },
    };
  }
  return {
    id: 'msg_stand_in',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: finish === 'length' ? 'max_tokens' : 'end_turn',
    usage: { input_tokens: usage.input, output_tokens: usage.output },
  };
}

/** The SSE events of a streamed answer, `[event name, data]`: a preamble, one per token, the end. */
function streamEvents(kind: 'openai' | 'anthropic', model: string, pieces: string[], finish: 'stop' | 'length', usage: { input: number; output: number }): [string | undefined, unknown][] {
  if (kind === 'openai') {
    const chunk = (delta: object, finishReason: string | null) => ({ id: 'chatcmpl-stand-in', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta, finish_reason: finishReason }] });
    return [
      [undefined, chunk({ role: 'assistant', content: '' }, null)],
      ...pieces.map((piece): [undefined, unknown] => [undefined, chunk({ content: piece }, null)]),
      [undefined, chunk({}, finish)],
      [undefined, { id: 'chatcmpl-stand-in', object: 'chat.completion.chunk', model, choices: [], usage: { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output } }],
      [undefined, '[DONE]'],
    ];
  }
  return [
    ['message_start', { type: 'message_start', message: { id: 'msg_stand_in', type: 'message', role: 'assistant', model, content: [], usage: { input_tokens: usage.input, output_tokens: 1 } } }],
    ...pieces.map((piece): [string, unknown] => ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }]),
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: finish === 'length' ? 'max_tokens' : 'end_turn' }, usage: { output_tokens: usage.output } }],
    ['message_stop', { type: 'message_stop' }],
  ];
}
