/**
 * How exports write a value that is not there: pandas writes an empty cell or `nan`/`inf`,
 * R `NA`/`Inf`, Prometheus `NaN`/`+Inf`, JSON-minded tools `null`. None of them is a
 * measurement, and none is a typo either: one such cell must not cost the user the file.
 */
const MISSING = /^(?:|[+-]?(?:nan|inf|infinity)|na|n\/a|null)$/i;

/**
 * Read one cell of a metric file (a series for `analyze detect`, a metric table for
 * `analyze rca`): a finite number; NaN for a missing value (empty, `NaN`, `nan`, `Inf`,
 * `-Inf`, `Infinity`, `NA`, `N/A`, `null`, any case); undefined for text that is neither,
 * which callers report as a bad row.
 *
 * @example parseMeasurement(' 12.5 ') // 12.5
 * @example parseMeasurement('-Inf') // NaN: a missing value
 * @example parseMeasurement('oops') // undefined: not a number
 */
export function parseMeasurement(text: string): number | undefined {
  const trimmed = text.trim();
  if (MISSING.test(trimmed)) return Number.NaN;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}
