import type { ElementEventRecord } from '../../store/records.js';
import { anyJson, closedObject, number, text } from './json-schema.js';
import { parsedPayload } from './parsed-payload.js';

/** A supervisor event; `data` parsed (text that is not JSON stays text). */
export const elementEventSchema = closedObject({ id: number, at: number, element: text, kind: text, data: anyJson });

export function elementEventShape(event: ElementEventRecord) {
  return { id: event.id, at: event.at, element: event.element, kind: event.kind, data: parsedPayload(event.data) };
}
