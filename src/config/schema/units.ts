import { z } from 'zod';
import { toMillis } from '../../resilience/duration.js';

/**
 * A duration in the config: milliseconds as a number, or text such as `500ms`, `10s`,
 * `1m30s` (see `toMillis`). Parsed to milliseconds.
 */
export const durationSchema = z
  .union([z.number(), z.string()], { error: 'expected a duration like "500ms"' })
  .transform((value, ctx) => {
    try {
      return toMillis(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected a duration like "500ms", got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
  })
  // The id makes the JSON Schema (and the config reference) name the type once, as input.
  .meta({ id: 'duration', description: 'A duration: milliseconds as a number, or text such as "500ms", "10s", "1m30s".' });

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  k: 1_000,
  kb: 1_000,
  m: 1_000_000,
  mb: 1_000_000,
  g: 1_000_000_000,
  gb: 1_000_000_000,
  kib: 1_024,
  mib: 1_048_576,
  gib: 1_073_741_824,
};

/** Bytes in a size such as `200MB`, `1.5GiB`, `512kb` or a plain number of bytes. */
export function parseByteSize(value: number | string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!match) return undefined;
  const unit = BYTE_UNITS[(match[2] || 'b').toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(match[1]) * unit);
}

/** A size in bytes: a number, or text such as `200MB`, `1.5GiB`. */
export const byteSizeSchema = z
  .union([z.number(), z.string()], { error: 'expected a size like "200MB"' })
  .transform((value, ctx) => {
    const bytes = parseByteSize(value);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a size like "200MB" or "1GiB", got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return bytes;
  })
  .meta({ id: 'size', description: 'A size in bytes: a number, or text such as "512kb", "200MB", "1.5GiB" (k/M/G are powers of 1000, KiB/MiB/GiB of 1024).' });

/** A percentage of one CPU core: `80`, `"80%"`, `150%` (one and a half cores). */
export const percentSchema = z
  .union([z.number(), z.string()], { error: 'expected a percentage like "80%"' })
  .transform((value, ctx) => {
    const number = typeof value === 'number' ? value : /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(value)?.[1];
    if (number === undefined || !(Number(number) > 0)) {
      ctx.addIssue({ code: 'custom', message: `expected a percentage like "80%", got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return Number(number);
  })
  .meta({ id: 'percent', description: 'A percentage of one CPU core: 80, "80%", "150%" (one and a half cores).' });

/** Scalars given where text is expected (`PORT: 8080`) are kept as their text. */
export const textSchema = z
  .union([z.string(), z.number(), z.boolean()])
  .transform(String)
  .meta({ id: 'text', description: 'Text; a number or boolean given here (PORT: 8080) is kept as its text.' });
