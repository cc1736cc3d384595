import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from './config-error.js';
import { configSchema, type HomeostatConfig } from './schema/root.js';

/** A validated config and where it came from. */
export interface LoadedConfig {
  config: HomeostatConfig;
  /** Absolute path of the file (or the name given to {@link parseConfig}). */
  file: string;
  /** Folder that relative paths (cwd, stateDir) resolve against. */
  baseDir: string;
  /** Absolute state folder (logs, default store). */
  stateDir: string;
}

/**
 * Read and validate a `homeostat.yaml`.
 * @example const { config } = loadConfig('homeostat.yaml');
 * @example loadConfig('bad.yaml') // throws HS_CONFIG_INVALID: "bad.yaml:12:5: services.api.port: …"
 */
export function loadConfig(path: string): LoadedConfig {
  const file = resolve(path);
  return parseConfig(readConfigText(file, path), { file, displayName: path });
}

/**
 * The most bytes a config text may have (1 MiB). Real configs are a few KB; parsing a
 * 50 MB file would block `up` for seconds and its values could never be spawned anyway.
 */
export const MAX_CONFIG_BYTES = 1_048_576;

/**
 * Read a config file, refusing one over {@link MAX_CONFIG_BYTES} before reading it.
 * @example readConfigText('/srv/homeostat.yaml') // throws HS_CONFIG_TOO_LARGE for a 50 MB file
 */
export function readConfigText(file: string, displayName = file): string {
  try {
    const size = statSync(file).size;
    if (size > MAX_CONFIG_BYTES) throw tooLarge(displayName, size);
    return readFileSync(file, 'utf8');
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError('HS_CONFIG_NOT_FOUND', [{ file: displayName, line: 0, column: 0, path: '', message: `cannot read the config: ${(cause as Error).message}` }], cause);
  }
}

function tooLarge(file: string, size: number): ConfigError {
  return new ConfigError('HS_CONFIG_TOO_LARGE', [{ file, line: 0, column: 0, path: '', message: `the config is ${size.toLocaleString('en-US')} bytes, over the limit of ${MAX_CONFIG_BYTES.toLocaleString('en-US')} (1 MiB)` }]);
}

/**
 * Validate config text. `file` resolves relative paths; `displayName` is what error
 * messages call the file (default: `file`).
 */
export function parseConfig(text: string, options: { file: string; displayName?: string }): LoadedConfig {
  const display = options.displayName ?? options.file;
  const size = Buffer.byteLength(text);
  if (size > MAX_CONFIG_BYTES) throw tooLarge(display, size);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      'HS_CONFIG_SYNTAX',
      doc.errors.map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return { file: display, line: pos.line, column: pos.col, path: '', message: `YAML: ${error.message.split('\n')[0]}` };
      }),
    );
  }
  let raw: unknown;
  try {
    // The yaml library refuses aliases that expand past maxAliasCount (a "billion laughs" file).
    raw = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (cause) {
    throw new ConfigError('HS_CONFIG_SYNTAX', [{ file: display, line: 0, column: 0, path: '', message: `YAML: ${(cause as Error).message}` }], cause);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => locate(issue, doc, lineCounter, display));
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new ConfigError('HS_CONFIG_INVALID', issues);
  }
  const baseDir = dirname(resolve(options.file));
  return { config: result.data, file: options.file, baseDir, stateDir: isAbsolute(result.data.stateDir) ? result.data.stateDir : resolve(baseDir, result.data.stateDir) };
}

/**
 * Where the field at `path` (`['services', 'api', 'env', 'BIG']`) is in config `text`: a
 * {@link ConfigIssue} for problems found after validation (a command that cannot be spawned).
 * An absent field points at its closest ancestor.
 * @example configIssueAt(text, 'homeostat.yaml', ['services', 'api', 'cwd'], 'cwd /nope does not exist') // { line: 7, column: 10, path: 'services.api.cwd', … }
 */
export function configIssueAt(text: string, file: string, path: Segment[], message: string): ConfigIssue {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const offset = offsetOf(doc, path, false);
  const pos = offset === undefined ? { line: 0, col: 0 } : lineCounter.linePos(offset);
  return { file, line: pos.line, column: pos.col, path: formatPath(path), message };
}

type Segment = PropertyKey;

/** Where a zod issue points in the YAML: the deepest node that exists on its path. */
function locate(issue: z.core.$ZodIssue, doc: Document, lineCounter: LineCounter, file: string): ConfigIssue {
  let path: Segment[] = [...issue.path];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    // Point at the unknown key itself, not at its parent.
    path = [...path, issue.keys[0]!];
    message = issue.keys.length === 1 ? `unknown field "${issue.keys[0]}"` : `unknown fields ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  } else if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    message = `required field is missing (${issue.message.replace(/^Invalid input: /, '')})`;
  } else {
    message = message.replace(/^Invalid (input|option): /, '');
  }
  const offset = offsetOf(doc, path, issue.code === 'unrecognized_keys');
  const pos = offset === undefined ? { line: 0, col: 0 } : lineCounter.linePos(offset);
  return { file, line: pos.line, column: pos.col, path: formatPath(path), message };
}

/**
 * The character offset of the node at `path`: the value when it exists, the key when
 * the issue is about the key (unknown field), else the closest ancestor that exists.
 */
function offsetOf(doc: Document, path: Segment[], atKey: boolean): number | undefined {
  let node: unknown = doc.contents;
  let best: number | undefined = rangeStart(node);
  for (const [index, segment] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      best = rangeStart(pair.key) ?? best;
      if (atKey && index === path.length - 1) break;
      node = pair.value;
      // A key with an empty value (`period:`) has no value node: stay on the key.
      best = rangeStart(node) ?? best;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      best = rangeStart(node) ?? best;
    } else {
      break;
    }
  }
  return best;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? range[0] : undefined;
}

function formatPath(path: Segment[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    return text === '' ? String(segment) : `${text}.${String(segment)}`;
  }, '');
}
