import { HomeostatError } from '../errors/homeostat-error.js';

/** Whether two answers agree. */
export type AnswerEquality = (a: unknown, b: unknown) => boolean;

/**
 * How a quorum compares answers (docs/agents.md#quorum):
 * - `'exact'`: the same JSON text, key order included — for answers produced the same way;
 * - `'json'`: the same JSON value, object keys in any order;
 * - `{ numeric: tolerance }`: numbers within `tolerance` of each other (absolute);
 * - `{ name, equals }`: the user's function (`name` is what the quorum's record shows).
 */
export type QuorumComparator = 'exact' | 'json' | { numeric: number } | { name: string; equals: AnswerEquality };

/** A comparator made usable: how it agrees, and how the quorum's record names it. */
export interface ResolvedComparator {
  describe: string;
  equals: AnswerEquality;
}

/**
 * @example resolveComparator('json').equals({ a: 1, b: 2 }, { b: 2, a: 1 }) // true
 * @example resolveComparator({ numeric: 0.01 }).equals(3.14159, 3.14) // true
 */
export function resolveComparator(comparator: QuorumComparator): ResolvedComparator {
  if (comparator === 'exact') return { describe: 'exact', equals: (a, b) => JSON.stringify(a) === JSON.stringify(b) };
  if (comparator === 'json') return { describe: 'json', equals: (a, b) => canonicalJson(a) === canonicalJson(b) };
  if (typeof comparator === 'object' && comparator !== null && 'numeric' in comparator) {
    const tolerance = comparator.numeric;
    if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
      throw new HomeostatError('HS_AGENT_TASK_INVALID', `quorum comparator: numeric tolerance must be a finite number ≥ 0, got ${JSON.stringify(tolerance)}`);
    }
    return { describe: `numeric ±${tolerance}`, equals: (a, b) => typeof a === 'number' && typeof b === 'number' && Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= tolerance };
  }
  if (typeof comparator === 'object' && comparator !== null && 'equals' in comparator && typeof comparator.equals === 'function') {
    if (typeof comparator.name !== 'string' || comparator.name.length === 0) throw new HomeostatError('HS_AGENT_TASK_INVALID', 'quorum comparator: a function comparator needs a name (what the quorum\'s record shows)');
    return { describe: `function ${comparator.name}`, equals: comparator.equals };
  }
  throw new HomeostatError('HS_AGENT_TASK_INVALID', `quorum comparator must be 'exact', 'json', { numeric: tolerance } or { name, equals }, got ${JSON.stringify(comparator)}`);
}

/**
 * JSON with object keys sorted at every depth: two values that differ only in key order
 * give the same text. `undefined` members are dropped, as JSON.stringify drops them.
 * @example canonicalJson({ b: [2, { d: 1, c: 0 }], a: 1 }) // '{"a":1,"b":[2,{"c":0,"d":1}]}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
