import { isAlias, isMap, isScalar, isSeq, parseDocument, Parser, type Node as YamlNode } from 'yaml';
import { isSecretKey, REDACTED, redactText } from './redact.js';

/** What a config view shows when its text cannot be redacted in place (it never shows the secrets). */
export const WITHHELD_YAML = '# homeostat: this config text is withheld: its secrets could not be redacted in place\n';

interface Edit {
  start: number;
  end: number;
  text: string;
}

/**
 * A YAML text with its secrets replaced in place, so it still parses to the same shape:
 * a scalar under a secret key name (`password`, `STRIPE_KEY`, `routingKey` …, at any
 * depth) becomes the quoted string `"[REDACTED]"`, a scalar whose text looks secret
 * (`postgres://u:pw@db`, a Slack hook URL, `sk_live_…`) gets only that part replaced,
 * and comments are redacted as text. Everything else (layout, comments, quoting) is
 * left as it was. The bare `[REDACTED]` of a text-level redaction would turn a value
 * into a YAML list; a quoted one keeps it a string.
 *
 * @example redactYaml('env:\n  STRIPE_KEY: sk_live_abc123456\n') // 'env:\n  STRIPE_KEY: "[REDACTED]"\n'
 * @example redactYaml('port: 8080\n') // unchanged
 */
export function redactYaml(text: string): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return WITHHELD_YAML;
  const edits: Edit[] = [];
  collectScalars(doc.contents as YamlNode | null, false, text, edits);
  collectComments(text, edits);
  if (edits.length === 0) return text;
  let result = text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  // Belt and braces: a redacted text that no longer parses is not shown at all.
  return parseDocument(result).errors.length === 0 ? result : WITHHELD_YAML;
}

function collectScalars(node: YamlNode | null | undefined, secret: boolean, source: string, edits: Edit[]): void {
  if (!node || isAlias(node)) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : '';
      collectScalars(pair.value as YamlNode | null, secret || isSecretKey(name), source, edits);
    }
    return;
  }
  if (isSeq(node)) {
    for (const item of node.items) collectScalars(item as YamlNode | null, secret, source, edits);
    return;
  }
  if (!isScalar(node) || !node.range) return;
  const value = node.value;
  if (value === null || value === undefined || value === '') return;
  if (!secret && typeof value !== 'string') return;
  const replaced = secret ? REDACTED : redactText(value as string);
  if (!secret && replaced === value) return;
  const [start, end] = node.range;
  const original = source.slice(start, end);
  // A block scalar's range takes its line breaks: keep them, or the next key joins this line.
  const trailing = /\s*$/.exec(original)![0];
  edits.push({ start, end, text: `${JSON.stringify(replaced)}${trailing.includes('\n') ? trailing : ''}` });
}

/** Comments can hold secrets too (a commented-out password): redact them as text. */
function collectComments(source: string, edits: Edit[]): void {
  const visit = (token: unknown): void => {
    if (Array.isArray(token)) {
      for (const item of token) visit(item);
      return;
    }
    if (typeof token !== 'object' || token === null) return;
    const { type, offset, source: text } = token as { type?: unknown; offset?: unknown; source?: unknown };
    if (type === 'comment' && typeof offset === 'number' && typeof text === 'string') {
      const redacted = redactText(text);
      if (redacted !== text) edits.push({ start: offset, end: offset + text.length, text: redacted });
      return;
    }
    for (const inner of Object.values(token)) if (typeof inner === 'object') visit(inner);
  };
  for (const token of new Parser().parse(source)) visit(token);
}
