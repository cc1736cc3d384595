import type { SerializedError } from '../../store/records.js';
import { boolean, closedObject, text } from './json-schema.js';
import { pickFields } from './pick-fields.js';

/** A stored error as the API shows it (a run's, a step's, an attempt's). */
export const serializedErrorSchema = closedObject({ name: text, message: text, code: text, retryable: boolean, stack: text, step: text }, ['code', 'retryable', 'stack', 'step']);

export interface SerializedErrorShape {
  name: string;
  message: string;
  code?: string;
  retryable?: boolean;
  stack?: string;
  step?: string;
}

/** Its writers order the fields differently (`serializeError`, a signal timeout's): kept as written. */
export function serializedErrorShape(error: SerializedError): SerializedErrorShape {
  return pickFields(error, ['name', 'message', 'code', 'retryable', 'stack', 'step']);
}

export function nullableErrorShape(error: SerializedError | null): SerializedErrorShape | null {
  return error === null ? null : serializedErrorShape(error);
}
