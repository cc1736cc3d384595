import { HomeostatError } from '../errors/homeostat-error.js';

/** One problem in a config file, located to the character. */
export interface ConfigIssue {
  file: string;
  /** 1-based; 0 when the problem has no position (e.g. an empty file). */
  line: number;
  column: number;
  /** Dotted path of the field (`services.api.probes.liveness.period`); empty for the whole file. */
  path: string;
  message: string;
}

/** Renders `homeostat.yaml:12:5: services.api.port: expected number`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  return `${where}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`;
}

/**
 * The config could not be used: not found (`HS_CONFIG_NOT_FOUND`), over the size limit
 * (`HS_CONFIG_TOO_LARGE`), not YAML (`HS_CONFIG_SYNTAX`), not a valid homeostat config
 * (`HS_CONFIG_INVALID`), or valid but a service's command could not be started as written
 * (`HS_CONFIG_NOT_SPAWNABLE`), or a webhook's signing secret is missing from the environment
 * (`HS_CONFIG_WEBHOOK_SECRET_MISSING`). `issues` lists every problem found, each with file, line,
 * column and field.
 */
export class ConfigError extends HomeostatError {
  readonly issues: ConfigIssue[];
  constructor(code: 'HS_CONFIG_NOT_FOUND' | 'HS_CONFIG_TOO_LARGE' | 'HS_CONFIG_SYNTAX' | 'HS_CONFIG_INVALID' | 'HS_CONFIG_NOT_SPAWNABLE' | 'HS_CONFIG_WEBHOOK_SECRET_MISSING', issues: ConfigIssue[], cause?: unknown) {
    const lines = issues.map(formatIssue);
    const count = `${issues.length} problem${issues.length === 1 ? '' : 's'}`;
    const summary = code === 'HS_CONFIG_INVALID' ? `invalid config (${count}):\n` : code === 'HS_CONFIG_NOT_SPAWNABLE' ? `a service's process cannot be started as configured (${count}):\n` : code === 'HS_CONFIG_WEBHOOK_SECRET_MISSING' ? `a webhook's signing secret is missing (${count}):\n` : '';
    super(code, `${summary}${lines.join('\n')}`, { retryable: false, cause });
    this.issues = issues;
  }
}
