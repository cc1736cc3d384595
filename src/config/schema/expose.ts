import { z } from 'zod';
import { byteSizeSchema, durationSchema } from './units.js';

/**
 * A service's front door (`expose:`): a proxy `up` owns that routes to the service's ready
 * replicas only, drains a replica before a planned stop, retries idempotent HTTP requests
 * once on another replica, and follows a failover to the standby. See docs/traffic.md.
 */
export const exposeSchema = z
  .strictObject({
    port: z.number().int().min(1).max(65_535).describe('The port callers use; it stays the same across restarts, rollouts and failovers.'),
    host: z.string().min(1).default('127.0.0.1').describe('The address it listens on (default 127.0.0.1; `0.0.0.0` for every interface — the front door has no authentication of its own).'),
    protocol: z.enum(['http', 'tcp']).default('http').describe('`http`: requests are proxied (readiness-gated, drained, idempotent ones retried); `tcp`: each connection is piped to one ready replica.'),
    balance: z
      .enum(['round-robin', 'least-requests'])
      .default('least-requests')
      .describe('How a replica is chosen: `least-requests` (fewest in flight, in turn among equals: a slow replica gets less) or `round-robin` (in turn).'),
    retry: z.boolean().default(true).describe('Retry an idempotent HTTP request (GET, HEAD, OPTIONS, PUT, DELETE, or any with an `Idempotency-Key` header) once on another ready replica when its upstream failed before answering.'),
    retryBodyLimit: byteSizeSchema.default(65_536).describe('Request bodies up to this size are kept for a retry; a larger body is streamed without a copy and its request is not retried.'),
    drainTimeout: durationSchema.default(10_000).describe('Before a planned stop or restart: the longest wait for the replica\'s in-flight requests (connections, in `tcp`) to finish.'),
    readyTimeout: durationSchema.default(30_000).describe('A whole-service restart goes one replica at a time: the longest wait for each restarted replica to take traffic again before the next.'),
  })
  .describe('A front door for this service: a port `up` listens on and routes to ready replicas only (docs/traffic.md). Supervised services only.');

export type ExposeConfig = z.output<typeof exposeSchema>;

/** A port someone else in the config listens on, and where. */
interface Listener {
  port: number;
  host: string;
  what: string;
}

/**
 * Ports a front door would clash with: another front door, a service's replica ports
 * (`port` … `port + replicas - 1`), and homeostat's own fixed ports (heartbeat, metrics,
 * API). Each issue sits at the `expose.port` that clashes.
 */
export function exposeIssues(config: {
  services: Record<string, { port?: number | undefined; replicas: number; expose?: ExposeConfig | undefined }>;
  fixedPorts: { port: number; what: string }[];
}): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const taken: Listener[] = config.fixedPorts.filter((fixed) => fixed.port > 0).map((fixed) => ({ ...fixed, host: '*' }));
  for (const [name, service] of Object.entries(config.services)) {
    if (service.port === undefined) continue;
    for (let replica = 0; replica < Math.max(1, service.replicas); replica++) taken.push({ port: service.port + replica, host: '*', what: `the port of ${name}#${replica}` });
  }
  const doors: Listener[] = [];
  for (const [name, service] of Object.entries(config.services)) {
    const expose = service.expose;
    if (!expose) continue;
    const clash = [...taken, ...doors].find((other) => other.port === expose.port && (other.host === '*' || other.host === expose.host || expose.host === '0.0.0.0' || other.host === '0.0.0.0'));
    if (clash) issues.push({ path: ['services', name, 'expose', 'port'], message: `port ${expose.port} is already ${clash.what}` });
    doors.push({ port: expose.port, host: expose.host, what: `the front door of ${name}` });
  }
  return issues;
}
