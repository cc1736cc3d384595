import { HomeostatError } from '../errors/homeostat-error.js';

/** A duration as milliseconds, or text such as `'250ms'`, `'10s'`, `'5m'`, `'1h'`, `'1d'`, `'1h30m'`. */
export type Duration = number | string;

/**
 * The longest duration accepted: 10 years (365-day). Anything longer is a typo or an
 * attack; and `now + duration` must stay an exact integer the stores can hold.
 */
export const MAX_DURATION_MS = 10 * 365 * 86_400_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/gy;

/**
 * Milliseconds in `duration`, at most {@link MAX_DURATION_MS}.
 * @example toMillis('1h30m') // 5_400_000
 * @example toMillis('soon')  // throws HS_INVALID_DURATION
 * @example toMillis('99999999999999d') // throws HS_INVALID_DURATION (longer than 10 years)
 */
export function toMillis(duration: Duration): number {
  return bounded(duration, parse(duration));
}

function bounded(duration: Duration, ms: number): number {
  if (ms > MAX_DURATION_MS) {
    throw new HomeostatError('HS_INVALID_DURATION', `invalid duration ${JSON.stringify(duration).slice(0, 60)}: longer than the longest allowed, 10 years (3650d)`);
  }
  return ms;
}

function parse(duration: Duration): number {
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) throw invalid(duration);
    return duration;
  }
  const text = duration.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(text); match !== null; match = PART.exec(text)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed = PART.lastIndex;
    while (text[consumed] === ' ') consumed++;
    PART.lastIndex = consumed;
  }
  if (consumed === 0 || consumed !== text.length) throw invalid(duration);
  return total;
}

function invalid(duration: Duration): HomeostatError {
  return new HomeostatError(
    'HS_INVALID_DURATION',
    `invalid duration ${JSON.stringify(duration)}: use milliseconds or text like '500ms', '10s', '5m', '1h', '1d'`,
  );
}
