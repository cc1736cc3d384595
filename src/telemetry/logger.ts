import { pino, stdTimeFunctions, type Logger } from 'pino';
import { LogDestination, type LogDestinationOptions } from './log-destination.js';
import { activeTraceIds } from './tracing.js';

export type { Logger } from 'pino';

const destinations = new WeakMap<Logger, LogDestination>();
const NO_FIELDS = Object.freeze({});

/**
 * homeostat's structured logger: pino, one JSON object per line, secrets masked by path.
 * `destination` is a file path (appended to, folders created) or a file descriptor
 * (1: stdout). Writes are asynchronous and never block or throw: on a full disk lines
 * are kept (bounded) and then dropped and counted (see {@link LogDestination}); call
 * `flushLogger` before exiting. Lines logged inside a span carry its `trace_id` and `span_id`
 * (tracing.ts).
 *
 * @example const log = createLogger({ destination: '.homeostat/homeostat.log' }); log.info({ incident: 'inc-1' }, 'incident opened');
 * @example createLogger({ destination: 1, level: 'debug' }) // JSON lines on stdout
 */
export function createLogger(options: { destination: string | number; level?: string; name?: string } & LogDestinationOptions): Logger {
  const { destination: target, level, name, ...destinationOptions } = options;
  const destination = new LogDestination(target, destinationOptions);
  const logger = pino(
    {
      name: name ?? 'homeostat',
      level: level ?? process.env.HOMEOSTAT_LOG_LEVEL ?? 'info',
      redact: { paths: ['*.password', '*.token', '*.secret', '*.authorization', 'password', 'token', 'secret'], censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      // A line written inside a span names it (`trace_id`, `span_id`), so a log search finds
      // the trace and a trace the log lines; with tracing off it adds nothing.
      mixin: () => activeTraceIds() ?? NO_FIELDS,
      // pino's default merge assigns the line's fields *into* the mixin's object: the shared
      // empty one must not be written to (nor allocated anew for every line with tracing off).
      mixinMergeStrategy: (fields: object, mixed: object) => (mixed === NO_FIELDS ? fields : Object.assign(mixed, fields)),
    },
    destination,
  );
  destinations.set(logger, destination);
  return logger;
}

/** The destination of a logger made by {@link createLogger} (its dropped-line count, whether it is failing). */
export function logDestinationOf(logger: Logger): LogDestination | undefined {
  return destinations.get(logger);
}

/** Write out buffered log lines (before exit); resolves at once if the log cannot be written. */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}
