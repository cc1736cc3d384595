import { createServer, type IncomingHttpHeaders } from 'node:http';

/** One request a {@link webhookReceiver} got: its headers and the exact body bytes (as text). */
export interface ReceivedWebhook {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers to one request: a status, and headers (`retry-after`). */
export type WebhookAnswer = number | { status: number; headers?: Record<string, string> };

/**
 * A webhook receiver on 127.0.0.1 (a free port) for tests: answers each POST with the next
 * of `answers`, then with `then` (default 200), and keeps what it got.
 * @example const hooks = await webhookReceiver([503, 503]); … hooks.received.length // 3 after two retries; await hooks.close()
 */
export async function webhookReceiver(answers: WebhookAnswer[] = [], then: WebhookAnswer = 200) {
  const received: ReceivedWebhook[] = [];
  const queue = [...answers];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = queue.shift() ?? then;
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      res.writeHead(status, headers ?? {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
