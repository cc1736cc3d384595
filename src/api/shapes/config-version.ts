import { redactYaml } from '../../knowledge/redact-yaml.js';
import type { ConfigVersionRecord } from '../../store/records.js';
import { closedObject, number, oneOf, text } from './json-schema.js';

const VERSION_STATUSES = ['applied', 'good', 'bad', 'failed'];

/** A version in the list: without its text. */
export const configVersionSummarySchema = closedObject({ version: number, hash: text, appliedAt: number, status: oneOf(VERSION_STATUSES), source: text });
/** A version with its text, secrets replaced in place (it still parses). */
export const configVersionSchema = closedObject({ version: number, hash: text, text, appliedAt: number, status: oneOf(VERSION_STATUSES), source: text });

export function configVersionSummaryShape(version: ConfigVersionRecord) {
  return { version: version.version, hash: version.hash, appliedAt: version.appliedAt, status: version.status, source: version.source };
}

/**
 * The store keeps the real text (rollback re-applies it); every view gets it with secrets
 * replaced in place, so it still parses. Admins who need the values read the config file itself.
 */
export function configVersionShape(version: ConfigVersionRecord) {
  return { version: version.version, hash: version.hash, text: redactYaml(version.text), appliedAt: version.appliedAt, status: version.status, source: version.source };
}
