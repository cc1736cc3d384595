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
 * One probe, Kubernetes-style: exactly one of `http`, `tcp`, `exec`, `heartbeat`, with
 * its period, timeout and thresholds. Sub-second periods are allowed.
 */
export const probeSchema = z
  .strictObject({
    /** A path on the instance's port (`/healthz`) or a full URL. */
    http: z.string().min(1).optional(),
    /** `true` for the instance's port, a port number, or `host:port`. */
    tcp: z.union([z.literal(true), z.number().int().min(1).max(65_535), z.string().min(1)]).optional(),
    /** A command (string: run by `sh -c`; array: argv); exit code 0 passes. */
    exec: commandSchema.optional(),
    /** The process pushes beats; the probe fails when the last one is older than `timeout`. */
    heartbeat: z.literal(true).optional(),
    status: statusSchema.default([[200, 399]]),
    /** Text the body must contain, or `/regex/`. */
    body: z.string().optional(),
    period: durationSchema.default(1_000),
    timeout: durationSchema.optional(),
    failureThreshold: z.number().int().min(1).default(3),
    successThreshold: z.number().int().min(1).default(1),
    initialDelay: durationSchema.default(0),
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
  })
  .transform((probe) => ({ ...probe, timeout: probe.timeout ?? Math.min(probe.period, 1_000) }));

export type ProbeConfig = z.output<typeof probeSchema>;

export const probesSchema = z
  .strictObject({
    /** Until it passes, liveness and readiness do not run; failing it restarts the process. */
    startup: probeSchema.optional(),
    /** Failing it kills and restarts the process (a hung process fails it). */
    liveness: probeSchema.optional(),
    /** Failing it marks the instance not ready (no restart). */
    readiness: probeSchema.optional(),
  })
  .prefault({});

export type ProbesConfig = z.output<typeof probesSchema>;
export type ProbeName = keyof ProbesConfig;
