/** What one check found: passed or not, and a short human reason. */
export interface ProbeResult {
  ok: boolean;
  message: string;
}

/**
 * One health check of an element. The runner aborts `signal` at the probe's timeout; a
 * probe must give up then (a timed-out check counts as a failure either way).
 *
 * @example
 * const probe: Probe = { check: async () => ({ ok: true, message: 'fine' }) };
 * @example
 * // a plain function stands in too: toProbe(async (signal) => ({ ok: false, message: 'down' }))
 */
export interface Probe {
  check(signal: AbortSignal): Promise<ProbeResult>;
}

export type ProbeFunction = (signal: AbortSignal) => Promise<ProbeResult>;

export function toProbe(probe: Probe | ProbeFunction): Probe {
  return typeof probe === 'function' ? { check: probe } : probe;
}

/** The message of a failed check, from whatever it threw. */
export function failure(error: unknown, prefix = ''): ProbeResult {
  const code = (error as { code?: string } | undefined)?.code;
  const message = (error as Error | undefined)?.message ?? String(error);
  return { ok: false, message: `${prefix}${code && !message.includes(code) ? `${code}: ` : ''}${message}` };
}
