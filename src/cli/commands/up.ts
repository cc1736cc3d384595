import { hostname } from 'node:os';
import { displayStoreUrl, openStore } from '../../store/open-store.js';
import { isSymptom } from '../../supervisor/element-events.js';
import { Supervisor } from '../../supervisor/supervisor.js';
import type { CommandContext } from '../command.js';
import { findConfig, storeUrlFor } from '../config-location.js';
import { describeEvent } from '../element-output.js';

export const upUsage = 'homeostat up [-c homeostat.yaml] [--store URL]';

/**
 * `homeostat up -c homeostat.yaml`: supervise what the config declares until SIGINT or
 * SIGTERM, printing every event; then stop every process gracefully.
 */
export async function upCommand(ctx: CommandContext): Promise<number> {
  const loaded = findConfig(ctx, true)!;
  const storeUrl = storeUrlFor(ctx, loaded);
  const store = await openStore(storeUrl);
  const supervisor = new Supervisor({
    config: loaded.config,
    baseDir: loaded.baseDir,
    stateDir: loaded.stateDir,
    store,
    owner: `${hostname()}:${loaded.file}`,
    onStoreError: (error) => ctx.err(`store write failed (will retry): ${(error as Error).message}`),
  });
  supervisor.on((event) => (isSymptom(event) ? ctx.err : ctx.out)(describeEvent(event)));
  const stopRequested = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await supervisor.start();
  const count = Object.keys(loaded.config.services).length;
  ctx.out(`homeostat up: supervising ${count} service${count === 1 ? '' : 's'} from ${loaded.file} (state in ${loaded.stateDir}, store ${displayStoreUrl(storeUrl)})`);
  const signal = await stopRequested;
  ctx.out(`homeostat up: ${signal}, stopping every process gracefully`);
  await supervisor.stop();
  await store.close();
  ctx.out('homeostat up: stopped');
  return 0;
}
