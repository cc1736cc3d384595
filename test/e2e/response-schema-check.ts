import Fastify from 'fastify';
import type { ApiAnswer } from '../../src/api/api-server.js';

/** The schema a route declares for `status`: the exact code, else its class (`4xx`), else none. */
export function declaredSchema(answer: Pick<ApiAnswer, 'status' | 'responseSchemas'>): unknown {
  const schemas = answer.responseSchemas ?? {};
  return schemas[String(answer.status)] ?? schemas[`${String(answer.status)[0]}xx`];
}

/**
 * Every answer checked against the response schema its route declares, with the same ajv
 * fastify validates request bodies with (a throwaway app whose routes take each schema as
 * their body schema): type errors, missing required fields and fields a closed shape does
 * not declare. fastify itself never validates answers — it serializes them through the
 * schema, dropping undeclared fields and coercing types — so this is what notices.
 * Returns one line per violation; answers of routes without a JSON schema for their
 * status (the event stream, requests no route matched) are `unchecked`.
 */
export async function schemaViolations(answers: readonly ApiAnswer[]): Promise<{ violations: string[]; unchecked: string[] }> {
  const checker = Fastify({ logger: false, bodyLimit: 64 * 1_048_576, ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true, strict: false } } });
  const routes = new Map<unknown, string>();
  const unchecked: string[] = [];
  for (const answer of answers) {
    const schema = declaredSchema(answer);
    if (schema === undefined || (schema as { content?: unknown }).content !== undefined) {
      unchecked.push(`${answer.method} ${answer.route ?? '(no route)'} ${answer.status}`);
      continue;
    }
    if (!routes.has(schema)) {
      const url = `/check/${routes.size}`;
      routes.set(schema, url);
      checker.post(url, { schema: { body: schema as object } }, async () => ({ ok: true }));
    }
  }
  await checker.ready();
  const violations: string[] = [];
  try {
    for (const answer of answers) {
      const schema = declaredSchema(answer);
      const url = routes.get(schema);
      if (!url) continue;
      const checked = await checker.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(answer.payload) });
      if (checked.statusCode !== 200) violations.push(`${answer.method} ${answer.route} ${answer.status}: ${(checked.json() as { message?: string }).message ?? checked.body}`);
    }
  } finally {
    await checker.close();
  }
  return { violations, unchecked };
}
