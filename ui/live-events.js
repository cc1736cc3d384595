// The API's server-sent events over fetch(): EventSource cannot send the Authorization
// header, so the stream is read and parsed here, and reconnected with backoff.

/**
 * States: `connecting`, `live`, `reconnecting` (with `retryAt`), `signed-out`.
 * `onEvent(event)` gets each parsed event (`{ type: 'element' | 'incident' | 'run-finished', … }`)
 * and `{ type: 'resync' }` after every (re)connection and after a `dropped` event, when events were missed.
 */
export class LiveEvents {
  constructor({ getToken, onEvent, onState, onUnauthorized, url = '/api/stream' }) {
    Object.assign(this, { getToken, onEvent, onState, onUnauthorized, url });
    this.abort = undefined;
  }

  start() {
    if (this.abort) return;
    this.abort = new AbortController();
    void this.run(this.abort.signal);
  }

  stop() {
    this.abort?.abort();
    this.abort = undefined;
  }

  async run(signal) {
    let failures = 0;
    while (!signal.aborted) {
      this.onState({ state: failures === 0 ? 'connecting' : 'reconnecting' });
      try {
        const response = await fetch(this.url, { headers: { accept: 'text/event-stream', authorization: `Bearer ${this.getToken() ?? ''}` }, signal, cache: 'no-store' });
        if (response.status === 401) {
          this.onState({ state: 'signed-out' });
          this.onUnauthorized();
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        failures = 0;
        this.onState({ state: 'live' });
        this.onEvent({ type: 'resync' });
        await this.read(response.body, signal);
      } catch {
        if (signal.aborted) return;
      }
      if (signal.aborted) return;
      failures++;
      // 0.5 s, 1 s, 2 s … up to 15 s, with jitter so many tabs do not reconnect in step.
      const delay = Math.min(15_000, 500 * 2 ** (failures - 1)) * (0.75 + Math.random() * 0.5);
      this.onState({ state: 'reconnecting', retryAt: Date.now() + delay });
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, delay);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }

  /** Read `text/event-stream` until it ends: events are separated by a blank line. */
  async read(body, signal) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), { once: true });
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer[end] === '\r' ? 4 : 2));
        this.dispatch(block);
      }
    }
  }

  dispatch(block) {
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      // `event:` repeats the JSON's own `type`; comment lines (":") keep the connection.
    }
    if (data.length === 0) return;
    try {
      const event = JSON.parse(data.join('\n'));
      // The API dropped events this client was too slow to read: what is shown may be stale.
      this.onEvent(event.type === 'dropped' ? { type: 'resync' } : event);
    } catch {
      // not JSON: not an event of ours
    }
  }
}
