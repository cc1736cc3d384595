/**
 * Parse a timestamp as written in metric files: unix seconds (`1700000000`, fractions
 * allowed) or a date-time such as `2014-04-10 07:15:00` (taken as UTC when no zone is
 * given). Returns milliseconds since the epoch, or NaN when it does not parse.
 */
export function parseTimestamp(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '') return Number.NaN;
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  let iso = trimmed.replace(' ', 'T');
  iso = iso.replace(/(\.\d{3})\d+/, '$1');
  if (!/(Z|[+-]\d\d:?\d\d)$/.test(iso)) iso += 'Z';
  return Date.parse(iso);
}
