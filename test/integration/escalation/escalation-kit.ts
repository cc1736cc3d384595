import { createServer } from 'node:http';
import { escalationSchema, type EscalationConfig } from '../../../src/config/schema/policies.js';
import type { Knowledge } from '../../../src/knowledge/knowledge.js';
import type { EscalationMessage } from '../../../src/execute/escalation-payloads.js';

/** A webhook receiver on 127.0.0.1 that answers each POST with the next status of `statuses` (then 200). */
export async function receiver(statuses: number[] = []) {
  const received: { path: string; body: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Escalation to a PagerDuty-, a Slack- and a JSON-shaped webhook at `url`. */
export function threeWebhooks(url: string): EscalationConfig {
  return escalationSchema.parse({
    webhooks: [
      { url: `${url}/pd`, format: 'pagerduty', routingKey: 'R1' },
      { url: `${url}/slack`, format: 'slack' },
      { url: `${url}/json`, format: 'json' },
    ],
  });
}

/** The escalation message as the loop builds it, reduced to the incident (tests of who sends when). */
export function messageFrom(knowledge: Knowledge) {
  return async (id: string, severity: EscalationMessage['severity']): Promise<EscalationMessage> => {
    const explained = await knowledge.incidents.explain(id);
    if (!explained) throw new Error(`no incident ${id}`);
    return { incident: explained.incident, explanation: [], severity, event: 'trigger' };
  };
}
