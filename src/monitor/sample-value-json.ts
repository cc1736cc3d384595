/** A sample value as JSON: a number, or `"NaN"`, `"+Inf"`, `"-Inf"` (JSON has no such numbers). */
export type SampleValueJson = number | 'NaN' | '+Inf' | '-Inf';

/**
 * A sample value for JSON, the way Prometheus' own HTTP API writes the ones JSON cannot
 * hold: NaN and ±Inf are samples (an empty summary's quantile, a histogram's top bucket), so
 * they are answered as strings rather than dropped, turned into `null` or failing the answer.
 *
 * @example sampleValueJson(0.5) // 0.5
 * @example sampleValueJson(Number.NaN) // 'NaN'
 * @example sampleValueJson(-Infinity) // '-Inf'
 */
export function sampleValueJson(value: number): SampleValueJson {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return value;
}

/** The JSON schema of a {@link SampleValueJson}. */
export const sampleValueJsonSchema = {
  anyOf: [{ type: 'number' }, { type: 'string', enum: ['NaN', '+Inf', '-Inf'] }],
  description: 'A sample value: a number, or "NaN", "+Inf", "-Inf" as strings (as Prometheus\' HTTP API writes them)',
} as const;
