/** One server-sent event: its `event:` name (absent for the default) and its joined `data:` lines. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

/**
 * The events of a `text/event-stream` body, as they arrive. Follows the WHATWG rules the
 * providers rely on: events end at a blank line, `data:` lines join with `\n`, lines
 * starting with `:` are comments (keep-alives), and `\r\n`, `\r` or `\n` end a line.
 * `onChunk` is told of every chunk received, comments included, so a stall timer sees
 * keep-alives as life.
 *
 * @example for await (const { event, data } of readSse(response.body!, () => stall.reset())) handle(event, data);
 */
export async function* readSse(body: ReadableStream<Uint8Array>, onChunk: () => void): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  let event: string | undefined;
  let data: string[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onChunk();
      buffer += decoder.decode(value, { stream: true });
      let end: RegExpExecArray | null;
      const lineEnd = /\r\n|\r|\n/g;
      let start = 0;
      while ((end = lineEnd.exec(buffer)) !== null) {
        // A lone '\r' at the end of the buffer may be the first half of '\r\n': wait for more.
        if (end[0] === '\r' && end.index === buffer.length - 1) break;
        const line = buffer.slice(start, end.index);
        start = end.index + end[0].length;
        if (line === '') {
          if (data.length > 0) yield { event, data: data.join('\n') };
          event = undefined;
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'event') event = value;
      }
      buffer = buffer.slice(start);
    }
  } finally {
    reader.releaseLock();
  }
}
