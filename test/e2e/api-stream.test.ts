import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiHarness } from './api-harness.js';

test('the SSE stream sends element events, incident changes and finished runs; it needs a token', async () => {
  const h = await ApiHarness.open();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  try {
    const unauthorised = await new Promise<number>((resolve, reject) => request({ port, path: '/api/stream' }, (res) => (res.resume(), resolve(res.statusCode!))).on('error', reject).end());
    assert.equal(unauthorised, 401);

    const received: { event: string; data: Record<string, unknown> }[] = [];
    let buffer = '';
    const req = request({ port, path: '/api/stream', headers: { authorization: `Bearer ${h.token.viewer}` } });
    const opened = new Promise<string>((resolve, reject) => {
      req.on('response', (res) => {
        resolve(String(res.headers['content-type']));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
            const frame = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event = /^event: (.+)$/m.exec(frame)?.[1];
            const data = /^data: (.+)$/m.exec(frame)?.[1];
            if (event && data) received.push({ event, data: JSON.parse(data) as Record<string, unknown> });
          }
        });
      });
      req.on('error', reject);
    });
    req.end();
    assert.match(await opened, /^text\/event-stream/);
    await waitFor(() => h.live.subscribers === 1);
    await new Promise((r) => setTimeout(r, 100)); // the first incident poll only remembers
    h.live.publish({ type: 'element', event: { kind: 'process-exited', element: 'api', at: 1, code: 1 } });
    h.live.publish({ type: 'run-finished', runId: 'r1', workflow: 'w', status: 'completed' });
    const { incident } = await h.knowledge.incidents.open({ key: 'api:crash', element: 'api', symptom: 'process-crashed', summary: 'api exited' });
    await waitFor(() => received.some((e) => e.event === 'incident'));
    await h.knowledge.incidents.resolve(incident.id, { resolution: 'external', by: null, summary: 'recovered' });
    await waitFor(() => received.some((e) => e.event === 'incident' && (e.data.incident as { status: string }).status === 'resolved'));
    assert.deepEqual(received.slice(0, 2).map((e) => e.event), ['element', 'run-finished']);
    assert.equal((received[0]!.data.event as { kind: string }).kind, 'process-exited');
    req.destroy();
    await waitFor(() => h.live.subscribers === 0);
  } finally {
    await h.close();
  }
});

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
