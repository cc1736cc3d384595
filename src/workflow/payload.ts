import { PayloadTooLargeError, UnserializableError } from './errors.js';
import type { SerializedError } from '../store/records.js';

/** Default cap on any single stored payload: 1 MiB of JSON text. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * JSON text of `value` for storage, or null for `undefined`. Throws (non-retryable)
 * when the value cannot be stored or is over `limitBytes`, naming `what`.
 */
export function encodePayload(value: unknown, what: string, limitBytes: number): string | null {
  if (value === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new UnserializableError(what, cause);
  }
  if (text === undefined) throw new UnserializableError(what, new Error(`a ${typeof value} has no JSON form`));
  // Byte length only matters near the limit; text.length <= bytes <= 3 * text.length.
  if (text.length * 3 > limitBytes) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > limitBytes) throw new PayloadTooLargeError(what, bytes, limitBytes);
  }
  return text;
}

export function decodePayload<T>(text: string | null): T {
  return (text === null ? undefined : JSON.parse(text)) as T;
}

/** What we keep of an error: its name, message, code, retryability and stack. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const coded = error as Error & { code?: unknown; retryable?: unknown };
    const out: SerializedError = { name: error.name, message: error.message };
    if (typeof coded.code === 'string') out.code = coded.code;
    if (typeof coded.retryable === 'boolean') out.retryable = coded.retryable;
    // SerializedError.step ("which step failed, for run-level errors") was declared but never
    // filled: keep it from a StepFailedError so a run's stored error names its failed step.
    const step = (error as { step?: unknown }).step;
    if (typeof step === 'string') out.step = step;
    if (error.stack) out.stack = error.stack;
    return out;
  }
  return { name: 'NonError', message: typeof error === 'string' ? error : safeJson(error) };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
