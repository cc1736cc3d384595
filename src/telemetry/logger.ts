import { destination as pinoDestination, pino, stdTimeFunctions, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * homeostat's structured logger: pino, one JSON object per line, secrets masked by path.
 * `destination` is a file path (appended to, folders must exist) or a file descriptor
 * (1: stdout). Writes are asynchronous; call `flushLogger` before exiting.
 *
 * @example const log = createLogger({ destination: '.homeostat/homeostat.log' }); log.info({ incident: 'inc-1' }, 'incident opened');
 * @example createLogger({ destination: 1, level: 'debug' }) // JSON lines on stdout
 */
export function createLogger(options: { destination: string | number; level?: string; name?: string }): Logger {
  const destination = pinoDestination({ dest: options.destination, sync: false, mkdir: typeof options.destination === 'string' });
  return pino(
    {
      name: options.name ?? 'homeostat',
      level: options.level ?? process.env.HOMEOSTAT_LOG_LEVEL ?? 'info',
      redact: { paths: ['*.password', '*.token', '*.secret', '*.authorization', 'password', 'token', 'secret'], censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** Write out buffered log lines (before exit). */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}
