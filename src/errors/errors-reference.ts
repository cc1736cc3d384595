import { ERROR_CODES, type ErrorCodeEntry, type ErrorSection } from './error-codes.js';

/** Where the generated reference lives in the repository. */
export const ERRORS_REFERENCE_PATH = 'docs/errors.md';

/** A section of the reference: its title and the prose around its table (Markdown). */
interface SectionText {
  title: string;
  intro?: string;
  outro?: string;
}

/** The sections in the order the reference lists them; a code's `section` names one. */
const SECTIONS: Record<ErrorSection, SectionText> = {
  general: { title: 'General' },
  workflow: { title: 'Workflow engine' },
  store: { title: 'Store' },
  postgres: { title: 'PostgreSQL' },
  cli: { title: 'Command line' },
  config: { title: 'Configuration' },
  supervisor: {
    title: 'Supervisor',
    outro: `Process crashes, failed spawns, probe failures and crash loops are not thrown: they are
events (\`process-exited\`, \`spawn-failed\`, \`probe-changed\`, \`crash-looping\`, …) written to
the store and offered to \`supervisor.on(listener)\`; see \`src/supervisor/element-events.ts\`.
A new spec's first start during a reload that fails is a \`spawn-failed\` event with
\`trial: true\`: it is not retried and is no symptom of its own — the previous spec is put
back and the config manager raises one \`config-apply-failed\` symptom for the version.`,
  },
  resilience: { title: 'Resilience' },
  analysis: { title: 'Analysis' },
  audit: { title: 'Audit' },
  monitor: { title: 'Monitor' },
  model: { title: 'Model steps', intro: 'The failure kinds of `models.call` (see [model-steps.md](model-steps.md)): which are retried on the same provider, which fall over to the next one of the chain, and which end the call.' },
  agents: { title: 'Agents', intro: 'The agent registry and tasks dispatched by capability (see [agents.md](agents.md)).' },
  api: {
    title: 'HTTP API',
    intro: `Every API error answer is \`{"error": {"code": "HS_…", "message": "…"}}\`. Besides these, the
API answers with the codes of the operation it ran, with the status in the HTTP column of
their tables (see [api.md](api.md)).`,
  },
};

const PREAMBLE = `# Error codes

<!-- Generated from src/errors/error-codes.ts by \`npm run docs:errors\`; edit the registry, not this file. -->

Every error homeostat throws carries a stable \`code\` (\`HS_*\`) and a \`retryable\` flag.
Codes are never reused or renamed; match on \`code\` (see \`isHomeostatError(error, code)\`),
not on messages or classes. A test (\`src/errors/error-codes.test.ts\`) fails when a code
used in the source is missing from the registry, or a code of the registry is used nowhere.

The HTTP column is the status the API answers with when a request fails with the code; a
dash means the API does not pass the code on: it answers 500 \`HS_API_INTERNAL\` instead.`;

function row(code: string, entry: ErrorCodeEntry): string {
  const http = entry.httpStatus === 500 && code !== 'HS_API_INTERNAL' ? '—' : String(entry.httpStatus);
  return `| \`${code}\` | ${entry.retryable ? 'yes' : 'no'} | ${http} | ${entry.meaning} | ${entry.whatToDo} |`;
}

/** docs/errors.md: one table per section, one row per code, in the registry's order. */
export function renderErrorsReference(): string {
  const entries = Object.entries(ERROR_CODES) as [string, ErrorCodeEntry][];
  const parts = [PREAMBLE];
  for (const [section, text] of Object.entries(SECTIONS) as [ErrorSection, SectionText][]) {
    const rows = entries.filter(([, entry]) => entry.section === section).map(([code, entry]) => row(code, entry));
    parts.push(`## ${text.title}`);
    if (text.intro) parts.push(text.intro);
    parts.push(['| code | retryable | HTTP | meaning | what to do |', '|---|---|---|---|---|', ...rows].join('\n'));
    if (text.outro) parts.push(text.outro);
  }
  return `${parts.join('\n\n')}\n`;
}
