import { z } from 'zod';
import { durationSchema } from './units.js';

/** `200`, `"200-399"`, `"200,204"`: the HTTP statuses a probe accepts. */
const statusSchema = z
  .union([z.number().int(), z.string()])
  .transform((value, ctx) => {
    const ranges: [number, number][] = [];
    for (const part of String(value).split(',')) {
      const match = /^\s*(\d{3})\s*(?:-\s*(\d{3}))?\s*$/.exec(part);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `expected HTTP statuses like "200-399" or "200,204", got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      ranges.push([Number(match[1]), Number(match[2] ?? match[1])]);
    }
    return ranges;
  });

const commandSchema = z.union([z.string().min(1), z.array(z.string()).min(1)]);

/**
 * The default probe timeout. Not derived from the period: a 250 ms period used to give a
 * 250 ms timeout, which a healthy process misses on a loaded host (measured in
 * bench/probe-timeouts), and each miss counts toward a restart.
 */
export const PROBE_TIMEOUT_DEFAULT_MS = 1_000;
/** The shortest timeout the docs and examples use for http, tcp, exec and heartbeat probes. */
export const PROBE_TIMEOUT_FLOOR_MS = 1_000;

/**
 * One probe, Kubernetes-style: exactly one of `http`, `tcp`, `exec`, `heartbeat`, with
 * its period, timeout and thresholds. Sub-second periods are allowed.
 */
export const probeSchema = z
  .strictObject({
    http: z.string().min(1).optional().describe('HTTP probe: a path on the instance\'s port (`/healthz`) or a full URL; GET must answer with a `status` in time.'),
    tcp: z
      .union([z.literal(true), z.number().int().min(1).max(65_535), z.string().min(1)])
      .optional()
      .describe('TCP probe: `true` for the instance\'s port, a port number, or `host:port`; the connection must open in time (a hung process still passes it: prefer http).'),
    exec: commandSchema.optional().describe('Exec probe: a command (a string runs under `sh -c`; a list is argv); exit code 0 passes.'),
    heartbeat: z.literal(true).optional().describe('Heartbeat probe: the process POSTs beats to `$HOMEOSTAT_HEARTBEAT_URL`; the probe fails when the last beat is older than `timeout`.'),
    // prefault: the default is given as written (and so shown in the JSON Schema), then parsed.
    status: statusSchema.prefault('200-399').describe('HTTP statuses that pass: `200`, `"200-399"`, `"200,204"`.'),
    body: z.string().optional().describe('HTTP probes: text the body must contain, or `/regex/`.'),
    period: durationSchema.default(1_000).describe('How often a check starts (fixed rate; sub-second periods are allowed). A check still running at the next tick makes that tick skip.'),
    timeout: durationSchema
      .default(PROBE_TIMEOUT_DEFAULT_MS)
      .describe(
        `A check that has not answered after this long fails (for heartbeat: the oldest a last beat may be). Default ${PROBE_TIMEOUT_DEFAULT_MS / 1_000}s whatever the period, and at least ${PROBE_TIMEOUT_FLOOR_MS / 1_000}s is advised: on a loaded host a healthy process can take hundreds of milliseconds to answer, and shorter timeouts restart healthy processes (see "Probe timeouts under load").`,
      ),
    failureThreshold: z.number().int().min(1).default(3).describe('Failed checks in a row that make the probe failing.'),
    successThreshold: z.number().int().min(1).default(1).describe('Passed checks in a row that make it passing again.'),
    initialDelay: durationSchema.default(0).describe('Wait this long after the process starts before the first check.'),
  })
  .superRefine((probe, ctx) => {
    const kinds = (['http', 'tcp', 'exec', 'heartbeat'] as const).filter((kind) => probe[kind] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: kinds.length === 0 ? 'a probe needs one of http, tcp, exec or heartbeat' : `a probe has one kind; got ${kinds.join(' and ')}`,
      });
    }
    if (probe.body !== undefined && probe.http === undefined) {
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'body applies to http probes only' });
    }
  });

export type ProbeConfig = z.output<typeof probeSchema>;

export const probesSchema = z
  .strictObject({
    startup: probeSchema.optional().describe('Until it passes, liveness and readiness do not run; failing it restarts the process.'),
    liveness: probeSchema.optional().describe('Failing it kills and restarts the process (a hung process fails it).'),
    readiness: probeSchema.optional().describe('Failing it marks the instance not ready (no restart).'),
  })
  .prefault({});

export type ProbesConfig = z.output<typeof probesSchema>;
export type ProbeName = keyof ProbesConfig;
