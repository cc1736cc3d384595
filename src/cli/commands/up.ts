import { hostname } from 'node:os';
import { join } from 'node:path';
import { ControllerRuntime } from '../../controller/controller-runtime.js';
import { displayStoreUrl, openStore } from '../../store/open-store.js';
import { isSymptom } from '../../supervisor/element-events.js';
import { Supervisor } from '../../supervisor/supervisor.js';
import { createLogger, flushLogger } from '../../telemetry/logger.js';
import type { CommandContext } from '../command.js';
import { findConfig, storeUrlFor } from '../config-location.js';
import { describeEvent } from '../element-output.js';

export const upUsage = 'homeostat up [-c homeostat.yaml] [--store URL] [--json] [--quiet]';

/**
 * `homeostat up -c homeostat.yaml`: supervise what the config declares and run the
 * autonomic loop over it (while this process is the leader) until SIGINT or SIGTERM;
 * then stop every process gracefully. Element events and the loop's decisions are
 * printed as lines; pino JSON logs go to `<stateDir>/homeostat.log` (to stdout with
 * `--json`, instead of the lines). `--quiet` prints only the loop's decisions.
 */
export async function upCommand(ctx: CommandContext): Promise<number> {
  const loaded = findConfig(ctx, true)!;
  const storeUrl = storeUrlFor(ctx, loaded);
  const json = ctx.options.json === true;
  const quiet = ctx.options.quiet === true;
  const logger = createLogger({ destination: json ? 1 : join(loaded.stateDir, 'homeostat.log') });
  const out = json ? () => undefined : ctx.out;
  const store = await openStore(storeUrl);
  const supervisor = new Supervisor({
    config: loaded.config,
    baseDir: loaded.baseDir,
    stateDir: loaded.stateDir,
    store,
    owner: `${hostname()}:${loaded.file}`,
    onStoreError: (error) => {
      logger.warn({ err: error }, 'store write failed (will retry)');
      if (!json) ctx.err(`store write failed (will retry): ${(error as Error).message}`);
    },
  });
  supervisor.on((event) => {
    logger.info({ event }, event.kind);
    if (!json && !quiet) (isSymptom(event) ? ctx.err : ctx.out)(describeEvent(event));
  });
  const stopRequested = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  let runtime: ControllerRuntime;
  try {
    runtime = await ControllerRuntime.start({ loaded, store, supervisor, logger, say: (line) => out(`loop: ${line}`) });
  } catch (error) {
    await store.close();
    throw error;
  }
  await supervisor.start();
  const count = Object.keys(loaded.config.services).length;
  logger.info({ services: count, config: loaded.file, store: displayStoreUrl(storeUrl), metrics: runtime.metricsUrl, api: runtime.apiUrl }, 'homeostat up');
  out(`homeostat up: supervising ${count} service${count === 1 ? '' : 's'} from ${loaded.file} (state in ${loaded.stateDir}, store ${displayStoreUrl(storeUrl)})`);
  out(`homeostat up: loop metrics at ${runtime.metricsUrl}, JSON logs in ${join(loaded.stateDir, 'homeostat.log')}`);
  if (runtime.apiUrl) out(`homeostat up: API at ${runtime.apiUrl} (bearer tokens: homeostat token create --role viewer --name NAME)`);
  const signal = await stopRequested;
  out(`homeostat up: ${signal}, stopping every process gracefully`);
  logger.info({ signal }, 'stopping');
  await runtime.stop();
  await supervisor.stop();
  await store.close();
  try {
    await flushLogger(logger);
  } catch {
    // the log file never opened: nothing to flush
  }
  out('homeostat up: stopped');
  return 0;
}
