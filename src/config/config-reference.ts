import { BUILT_IN_SYMPTOMS } from '../analyze/built-in-symptoms.js';
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchema } from './config-json-schema.js';
import { CHILDREN_SECTION, EDITOR_SECTION, POLICY_MATCHING_SECTION, PROBE_TIMEOUTS_SECTION, SCRAPING_SECTION } from './config-reference-sections.js';

/** Where the generated reference lives in the repository. */
export const CONFIG_REFERENCE_PATH = 'docs/config-reference.md';

/** One key of `homeostat.yaml` as the reference lists it. */
export interface ConfigKeyRow {
  /** Dotted, with `<service>`-style placeholders for names the user picks and `[]` for list items. */
  path: string;
  type: string;
  /** As it would be written in the file; undefined when the key has no default. */
  default?: string;
  meaning: string;
}

type JsonSchema = Record<string, unknown> & {
  $ref?: string;
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
};

/** What the name of a map entry is, by the map's key (`services: { <service>: … }`). */
const PLACEHOLDERS: Record<string, string> = { services: '<service>', symptoms: '<symptom>', policies: '<policy>', environments: '<environment>', env: '<VAR>', labels: '<label>', providers: '<provider>', chains: '<chain>', models: '<model>' };

/**
 * Every key of `homeostat.yaml`, walked from the JSON Schema (so from the zod schema):
 * path, type as written, default and meaning. Variants of a discriminated union (a ladder
 * rung's `action`) list their keys under the same path, each meaning naming its variant.
 */
export function configKeyRows(schema: JsonSchema = configJsonSchema() as JsonSchema): ConfigKeyRow[] {
  const rows: ConfigKeyRow[] = [];
  const walk = (given: JsonSchema, path: string, key: string, variant?: string): void => {
    const node = unwrapRef(given);
    if (path) {
      const meaning = node.description ?? '';
      rows.push({ path, type: typeOf(node), ...(node.default === undefined ? {} : { default: formatDefault(node.default, node) }), meaning: variant ? `${variant}: ${meaning}` : meaning });
    }
    const objects = node.properties ? [node] : (node.anyOf ?? node.oneOf ?? []).filter((option) => option.properties);
    const discriminator = objects.length > 1 ? commonConstKey(objects) : undefined;
    if (discriminator) {
      const values = objects.map((option) => String(option.properties![discriminator]!.const));
      const meaning = objects.map((option, i) => `\`${values[i]}\`: ${option.description ?? ''}`).join(' ');
      rows.push({ path: join(path, discriminator), type: values.map((value) => JSON.stringify(value)).join(' | '), meaning: `${meaning} The keys below name the ${discriminator} they belong to.` });
    }
    for (const option of objects) {
      const label = discriminator ? `\`${discriminator}: ${String(option.properties![discriminator]!.const)}\`` : variant;
      for (const [name, child] of Object.entries(option.properties!)) {
        if (name === discriminator) continue;
        walk(child, join(path, name), name, label);
      }
    }
    const entry = typeof node.additionalProperties === 'object' ? node.additionalProperties : undefined;
    if (entry && hasKeys(unwrapRef(entry))) walk(entry, `${path}.${PLACEHOLDERS[key] ?? '<name>'}`, '', undefined);
    if (node.type === 'array' && node.items && hasKeys(unwrapRef(node.items))) walk(node.items, `${path}[]`, '', undefined);
  };
  // Draft-07 puts a `$ref` that has siblings (a description, a default) inside `allOf`.
  const unwrapRef = (node: JsonSchema): JsonSchema => {
    const only = Array.isArray(node.allOf) && node.allOf.length === 1 ? (node.allOf[0] as JsonSchema) : undefined;
    if (!only?.$ref) return node;
    const { allOf: _allOf, ...rest } = node;
    return { ...rest, $ref: only.$ref };
  };
  // A list of objects has keys too (a chain: a map whose entries are lists of links).
  const hasKeys = (node: JsonSchema): boolean =>
    Boolean(node.properties || (node.anyOf ?? node.oneOf ?? []).some((option) => option.properties) || (node.type === 'array' && node.items && hasKeys(unwrapRef(node.items))));
  const typeOf = (given: JsonSchema): string => {
    const node = unwrapRef(given);
    if (node.$ref) return node.$ref.split('/').pop()!;
    if (node.const !== undefined) return JSON.stringify(node.const);
    if (node.enum) return node.enum.map((value) => JSON.stringify(value)).join(' | ');
    const options = node.anyOf ?? node.oneOf;
    if (options) return [...new Set(options.map(typeOf))].join(' | ');
    const types = Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
    if (types.length > 1) return types.join(' | ');
    const bounds = boundsOf(node);
    switch (types[0]) {
      case 'array':
        return `list of ${node.items ? typeOf(node.items) : 'any'}${typeof node.minItems === 'number' && node.minItems > 0 ? ` (at least ${node.minItems})` : ''}`;
      case 'object':
        if (node.properties) return 'object';
        return typeof node.additionalProperties === 'object' ? `map of ${typeOf(node.additionalProperties)}` : 'object';
      case 'string':
        return node.format === 'uri' ? 'URL' : `string${bounds}`;
      case undefined:
        return 'any';
      default:
        return `${types[0]}${bounds}`;
    }
  };
  const formatDefault = (value: unknown, node: JsonSchema): string => {
    const kind = node.$ref?.split('/').pop();
    if (kind === 'duration' && typeof value === 'number') return value === 0 ? '0' : `${value} (${humanDuration(value)})`;
    if (kind === 'size' && typeof value === 'number') return `${value} (${humanSize(value)})`;
    return JSON.stringify(value);
  };
  walk(schema, '', '');
  return rows;
}

/** The reference in markdown: generated, never edited by hand (a test compares). */
export function renderConfigReference(): string {
  const schema = configJsonSchema() as JsonSchema;
  const definitions = (schema.definitions ?? schema.$defs ?? {}) as Record<string, JsonSchema>;
  const rows = configKeyRows(schema);
  const top = Object.keys(schema.properties ?? {});
  const lines: string[] = [
    '# Configuration reference: `homeostat.yaml`',
    '',
    '<!-- Generated by `npm run docs:config` from src/config/schema/*.ts (the `.describe()` on each key) and',
    `     src/analyze/built-in-symptoms.ts; do not edit by hand: a test fails when this file and the schema disagree. -->`,
    '',
    `Every key, with its type, default and meaning. The same schema is published as JSON Schema in \`${CONFIG_JSON_SCHEMA_PATH}\`.`,
    'Keys are checked strictly: an unknown key is an error that names its file, line and column.',
    '',
    EDITOR_SECTION,
    '',
    '## Value types',
    '',
    '| Type | Written as |',
    '| --- | --- |',
    ...Object.entries(definitions).map(([name, definition]) => `| ${name} | ${cell(definition.description ?? '')} |`),
    '',
    'Defaults of durations and sizes are shown as the number the file may hold, with the readable form beside it.',
    '',
    '## Keys',
    '',
  ];
  const within = (name: string) => rows.filter((row) => row.path === name || row.path.startsWith(`${name}.`) || row.path.startsWith(`${name}[`));
  // Keys with nothing under them share one table; each other top-level key gets its own.
  const single = top.filter((name) => within(name).length === 1);
  const sections: [string, ConfigKeyRow[]][] = [['Top-level settings', single.flatMap(within)], ...top.filter((name) => !single.includes(name)).map((name): [string, ConfigKeyRow[]] => [`\`${name}\``, within(name)])];
  for (const [title, section] of sections) {
    lines.push(`### ${title}`, '', '| Key | Type | Default | Meaning |', '| --- | --- | --- | --- |');
    for (const row of section) lines.push(`| \`${row.path}\` | ${cell(row.type)} | ${row.default === undefined ? '—' : `\`${cell(row.default)}\``} | ${cell(row.meaning)} |`);
    lines.push('');
  }
  lines.push(
    '## Built-in symptoms',
    '',
    'Raised by homeostat itself; a symptom rule (`symptoms:`) adds a symptom named after the rule. Policies match either by `match.symptom`.',
    '',
    '| Symptom | Raised by | Labels | Meaning |',
    '| --- | --- | --- | --- |',
    ...BUILT_IN_SYMPTOMS.map((s) => `| \`${s.name}\` | ${s.raisedBy} | ${s.labels.length ? s.labels.map((l) => `\`${l}\``).join(', ') : '—'} | ${cell(s.meaning)} |`),
    '',
    POLICY_MATCHING_SECTION,
    '',
    SCRAPING_SECTION,
    '',
    CHILDREN_SECTION,
    '',
    PROBE_TIMEOUTS_SECTION,
    '',
  );
  return lines.join('\n');
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The key every variant has as a constant (`action`), if there is one. */
function commonConstKey(options: JsonSchema[]): string | undefined {
  const keys = Object.keys(options[0]!.properties!);
  return keys.find((key) => options.every((option) => option.properties?.[key]?.const !== undefined));
}

function boundsOf(node: JsonSchema): string {
  const max = typeof node.maximum === 'number' ? node.maximum : undefined;
  if (typeof node.exclusiveMinimum === 'number') return ` > ${node.exclusiveMinimum}${max === undefined ? '' : `, ≤ ${max}`}`;
  const min = typeof node.minimum === 'number' ? node.minimum : undefined;
  if (min !== undefined && max !== undefined) return ` ${min}–${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

function humanDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1_000]] as const) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function humanSize(bytes: number): string {
  for (const [unit, size] of [['GiB', 1_073_741_824], ['MiB', 1_048_576], ['MB', 1_000_000], ['KiB', 1_024], ['kB', 1_000]] as const) if (bytes % size === 0) return `${bytes / size}${unit}`;
  return `${bytes} bytes`;
}

/** Text safe in a markdown table cell. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
