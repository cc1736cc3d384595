import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitUntil } from '../integration/helpers/wait.js';
import { ApiHarness } from './api-harness.js';

const EVENTS = 2_000;
const LINE = 'x'.repeat(16_000);

test('a stream client that does not read gets its events dropped past 1 MiB unread, counted, and is told how many it missed once it reads again', async () => {
  const h = await ApiHarness.open();
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  const req = request({ host: '127.0.0.1', port, path: '/api/stream', headers: { authorization: `Bearer ${h.token.viewer}` } });
  try {
    const res = await new Promise<IncomingMessage>((resolve, reject) => req.on('response', resolve).on('error', reject).end());
    // A stalled client: it reads nothing while the events come.
    res.pause();
    await waitUntil(() => h.live.subscribers === 1, { timeoutMs: 5_000, message: 'the stream subscribed' });
    // 32 MB of events: far more than the socket buffers and the 1 MiB bound hold together.
    for (let i = 0; i < EVENTS; i++) h.live.publish({ type: 'element', event: { kind: 'process-exited', element: 'api', at: i, lastLines: [LINE] } });
    assert.ok(h.live.dropped > 0, 'events were dropped instead of buffered without bound');

    let elements = 0;
    let missed = 0;
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.+)$/m.exec(frame)?.[1];
        if (event === 'element') elements++;
        if (event === 'dropped') missed += (JSON.parse(/^data: (.+)$/m.exec(frame)![1]!) as { count: number }).count;
      }
    });
    res.resume();
    await waitUntil(() => elements + missed === EVENTS && missed > 0, { timeoutMs: 20_000, message: 'every event either received or reported missed', describe: () => `${elements} received, ${missed} reported missed, ${h.live.dropped} dropped` });
    assert.equal(missed, h.live.dropped, 'the client is told of every event it missed');
    // What was kept is bounded: about 1 MiB of frames beyond what the socket buffers held, not the 32 MB published.
    assert.ok(elements < EVENTS / 2, `${elements} of ${EVENTS} were sent`);
  } finally {
    req.destroy();
    await h.close();
  }
});
