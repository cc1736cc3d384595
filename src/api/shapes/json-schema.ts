/**
 * Small builders for the JSON schemas of API answers. Each shape is closed
 * (`additionalProperties: false`): the response check in the tests flags an answer with a
 * field its schema does not document.
 */

export type JsonSchema = Record<string, unknown>;

/**
 * A closed object: every property is required except those named in `optional`.
 * @example closedObject({ id: { type: 'string' }, note: { type: 'string' } }, ['note'])
 */
export function closedObject(properties: Record<string, JsonSchema>, optional: readonly string[] = []): JsonSchema {
  return { type: 'object', additionalProperties: false, required: Object.keys(properties).filter((name) => !optional.includes(name)), properties };
}

/** `schema`, or null. */
export function nullable(schema: JsonSchema & { type: string }): JsonSchema {
  return { ...schema, type: [schema.type, 'null'] };
}

/** Any JSON value: a payload the caller or a service chose (a run's input, an entry's data). */
export const anyJson: JsonSchema = {};

/** An object whose keys are data (labels, details): every property is answered. */
export const openObject: JsonSchema = { type: 'object', additionalProperties: true };

export const text: JsonSchema = { type: 'string' };
export const number: JsonSchema = { type: 'number' };
export const boolean: JsonSchema = { type: 'boolean' };
export const nullableText = nullable({ type: 'string' });
export const nullableNumber = nullable({ type: 'number' });

/** One of the given strings. */
export function oneOf(values: readonly string[]): JsonSchema {
  return { type: 'string', enum: [...values] };
}

export function arrayOf(items: JsonSchema): JsonSchema {
  return { type: 'array', items };
}
