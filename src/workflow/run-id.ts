import { randomBytes } from 'node:crypto';

/**
 * A new run id: a UUID version 7 (RFC 9562) — 48 bits of Unix milliseconds, then
 * random bits. Ids made close in time sort close together, so the step rows of runs
 * executing at once (keyed by run id) share index pages instead of each touching a
 * random page: measurably fewer pages written per commit than with random UUIDs.
 *
 * @example newRunId() // '019ab3c1-7f2e-7a41-9c3d-5e0f1a2b3c4d'
 * @example newRunId(Number.NaN) // throws RangeError: not a time
 */
export function newRunId(nowMs: number = Date.now()): string {
  if (!Number.isFinite(nowMs) || nowMs < 0) throw new RangeError(`newRunId: ${nowMs} is not a time`);
  const bytes = randomBytes(16);
  const ms = Math.floor(nowMs);
  // 48-bit big-endian timestamp (split: JavaScript bit operators are 32-bit).
  const high = Math.floor(ms / 2 ** 16);
  bytes.writeUInt32BE(high >>> 0, 0);
  bytes.writeUInt16BE(ms % 2 ** 16, 4);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
