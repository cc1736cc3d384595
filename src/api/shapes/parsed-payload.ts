/**
 * Stored JSON text (a run's input or output, a step's output, an event's or an audit
 * entry's data) as the value it holds; text that is not JSON as it is.
 * @example parsedPayload('{"a":1}') // { a: 1 }
 * @example parsedPayload('not json') // 'not json'
 */
export function parsedPayload(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
