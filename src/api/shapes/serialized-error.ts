import type { SerializedError } from '../../store/records.js';
import { boolean, closedObject, text } from './json-schema.js';

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

export function serializedErrorShape(error: SerializedError): SerializedErrorShape {
  return {
    name: error.name,
    message: error.message,
    ...(error.code === undefined ? {} : { code: error.code }),
    ...(error.retryable === undefined ? {} : { retryable: error.retryable }),
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(error.step === undefined ? {} : { step: error.step }),
  };
}

export function nullableErrorShape(error: SerializedError | null): SerializedErrorShape | null {
  return error === null ? null : serializedErrorShape(error);
}
