import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startModelStandIn, type ModelStandIn } from '../testing/model-stand-in.js';
import { sendModelRequest, type ModelEndpoint } from './model-http.js';
import { ModelCallError } from './model-errors.js';
import { retryAfterFromHeaders } from './rate-limit-headers.js';

// Generous for answers that come (a loaded machine is slow to a first byte); short only where the fault is the silence.
const TIMEOUTS = { firstTokenMs: 10_000, stallMs: 10_000, totalMs: 20_000 };
const messages = [
  { role: 'system' as const, content: 'Answer in JSON.' },
  { role: 'user' as const, content: 'Summarise: the sky is blue.' },
];

async function withStandIn(kind: 'openai' | 'anthropic', body: (server: ModelStandIn, endpoint: ModelEndpoint) => Promise<void>): Promise<void> {
  const server = await startModelStandIn({ kind, answer: () => '{"summary":"blue sky"}' });
  try {
    await body(server, { name: `${kind}-local`, kind, baseUrl: server.baseUrl, apiKey: 'sk-test-not-real' });
  } finally {
    await server.close();
  }
}

function failsWith(kind: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ModelCallError, `a ModelCallError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    return true;
  };
}

for (const kind of ['openai', 'anthropic'] as const) {
  for (const stream of [false, true]) {
    test(`${kind} ${stream ? 'streamed' : 'whole'}: the answer is normalised into text, finish, usage, provider and model`, async () => {
      await withStandIn(kind, async (server, endpoint) => {
        const reply = await sendModelRequest(endpoint, { model: 'm-1', messages, maxTokens: 100, stream }, TIMEOUTS, new AbortController().signal);
        assert.deepEqual(reply, { text: '{"summary":"blue sky"}', finish: 'stop', usage: { input: server.counts.inputTokens, output: 6 }, provider: endpoint.name, model: 'm-1' });
        assert.ok(reply.usage.input > 0);
        const sent = server.requests[0] as Record<string, unknown>;
        if (kind === 'anthropic') assert.equal(sent.system, 'Answer in JSON.', 'system messages go in the system field');
        assert.equal(sent.stream, stream);
      });
    });
  }

  test(`${kind}: 429 is rate-limited with the provider's Retry-After`, async () => {
    await withStandIn(kind, async (server, endpoint) => {
      server.script({ kind: 'rate-limit', retryAfterSeconds: 2 }, { kind: 'rate-limit', retryAfterMs: 150 });
      const call = () => sendModelRequest(endpoint, { model: 'm', messages, maxTokens: 10, stream: true }, TIMEOUTS, new AbortController().signal);
      await assert.rejects(call(), (error: ModelCallError) => failsWith('rate-limited')(error) && error.retryAfterMs === 2000);
      await assert.rejects(call(), (error: ModelCallError) => failsWith('rate-limited')(error) && error.retryAfterMs === 150);
    });
  });

  test(`${kind}: 5xx is a server error, 400 a terminal bad request, a reset a connection failure`, async () => {
    await withStandIn(kind, async (server, endpoint) => {
      server.script({ kind: 'status', status: 503 }, { kind: 'status', status: 400 }, { kind: 'reset' });
      const call = () => sendModelRequest(endpoint, { model: 'm', messages, maxTokens: 10, stream: false }, TIMEOUTS, new AbortController().signal);
      await assert.rejects(call(), failsWith('server-error'));
      await assert.rejects(call(), (error: ModelCallError) => failsWith('bad-request')(error) && error.retryable === false);
      await assert.rejects(call(), failsWith('connection'));
    });
  });

  test(`${kind}: a hang before the first token, a stall mid-stream and a cut stream are their own kinds`, async () => {
    await withStandIn(kind, async (server, endpoint) => {
      server.script({ kind: 'hang' }, { kind: 'stall', chunks: 2 }, { kind: 'cut-stream' });
      const call = (timeouts: typeof TIMEOUTS) => sendModelRequest(endpoint, { model: 'm', messages, maxTokens: 10, stream: true }, timeouts, new AbortController().signal);
      await assert.rejects(call({ ...TIMEOUTS, firstTokenMs: 300 }), failsWith('first-token-timeout'));
      await assert.rejects(call({ ...TIMEOUTS, stallMs: 300 }), failsWith('stalled'));
      await assert.rejects(call(TIMEOUTS), failsWith('truncated'));
      assert.equal(server.counts.completions, 0);
    });
  });

  test(`${kind}: a finish at the token limit is reported as length`, async () => {
    await withStandIn(kind, async (server, endpoint) => {
      server.script({ kind: 'answer', text: '{"summary":"bl', finish: 'length' });
      const reply = await sendModelRequest(endpoint, { model: 'm', messages, maxTokens: 4, stream: true }, TIMEOUTS, new AbortController().signal);
      assert.equal(reply.finish, 'length');
      assert.equal(reply.text, '{"summary":"bl');
    });
  });
}

test('the caller aborting ends the attempt with its own reason', async () => {
  await withStandIn('openai', async (server, endpoint) => {
    server.script({ kind: 'hang' });
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(sendModelRequest(endpoint, { model: 'm', messages, maxTokens: 10, stream: true }, { ...TIMEOUTS, firstTokenMs: 5_000 }, controller.signal), (error) => error === reason);
  });
});

test('a provider answering with a redirect: a bad request (not followed: the key goes to the configured baseUrl only), not a provider fault', async () => {
  const server = http.createServer((_request, response) => {
    response.writeHead(307, { location: 'http://127.0.0.1:9/v1/chat/completions' });
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const endpoint: ModelEndpoint = { name: 'moved', kind: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: 'sk-test-not-real' };
    await assert.rejects(sendModelRequest(endpoint, { model: 'm', messages, maxTokens: 10, stream: false }, TIMEOUTS, new AbortController().signal), (error: unknown) => {
      failsWith('bad-request')(error);
      assert.match((error as Error).message, /moved answered with a redirect/);
      assert.equal((error as ModelCallError).providerFault, false);
      return true;
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('rate-limit headers: retry-after-ms, Retry-After, then the longest reset', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now), 250);
  assert.equal(retryAfterFromHeaders(new Headers({ 'retry-after': '3' }), now), 3000);
  assert.equal(retryAfterFromHeaders(new Headers({ 'x-ratelimit-reset-requests': '1m30s', 'x-ratelimit-reset-tokens': '20ms' }), now), 90_000);
  assert.equal(retryAfterFromHeaders(new Headers({ 'anthropic-ratelimit-tokens-reset': '2026-01-01T00:00:05Z' }), now), 5000);
  assert.equal(retryAfterFromHeaders(new Headers({}), now), undefined);
});
