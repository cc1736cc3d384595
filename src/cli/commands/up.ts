import { join } from 'node:path';
import { remoteExposureWarning } from '../../api/remote-exposure.js';
import { readConfigText } from '../../config/load-config.js';
import { checkWebhookSecrets } from '../../config/webhook-secrets.js';
import { ensurePrivateDir, ensurePrivateFile, widenedStatePaths } from '../../store/private-state.js';
import { ControllerRuntime } from '../../controller/controller-runtime.js';
import { nodeName } from '../../controller/node-identity.js';
import { AUDIT_HEAD_FILE, auditKeyFromEnv } from '../../knowledge/audit-head.js';
import { displayStoreUrl, openStore } from '../../store/open-store.js';
import { isSymptom } from '../../supervisor/element-events.js';
import { Supervisor } from '../../supervisor/supervisor.js';
import { FrontDoors } from '../../traffic/front-doors.js';
import { watchDiskHealth } from '../../controller/disk-health.js';
import { createLogger, flushLogger, logDestinationOf } from '../../telemetry/logger.js';
import type { CommandContext } from '../command.js';
import { findConfig, storeUrlFor } from '../config-location.js';
import { describeEvent } from '../element-output.js';
import { LocalApiSession, refuseSecondUp } from '../local-api-session.js';

export const upUsage = 'homeostat up [-c homeostat.yaml] [--store URL] [--json] [--quiet]';

/**
 * `homeostat up -c homeostat.yaml`: supervise what the config declares and run the
 * autonomic loop over it (while this process is the leader) until SIGINT or SIGTERM;
 * then stop every process gracefully. Element events and the loop's decisions are
 * printed as lines; pino JSON logs go to `<stateDir>/homeostat.log` (to stdout with
 * `--json`, instead of the lines). `--quiet` prints only the loop's decisions.
 * With the API served, an admin token for this run and the API's URL go to
 * `<stateDir>/api.json` (0600) for the CLI and the dashboard, removed and revoked on stop;
 * a second `up` on the same state dir is refused while this one answers. The state dir is
 * created 0700 and its files 0600 (warned about when widened); each audit entry's head goes
 * to `<stateDir>/audit-head` and the log ($HOMEOSTAT_AUDIT_KEY signs them).
 * Supervised processes die with `up` even after a SIGKILL: a reaper process stops them
 * (`<stateDir>/reaper.log`), and what it could not stop the next `up` stops at start-up
 * from `<stateDir>/processes/` (see docs/architecture.md, "When up is killed").
 */
export async function upCommand(ctx: CommandContext): Promise<number> {
  const loaded = findConfig(ctx, true)!;
  // Before anything is created or started: a webhook that could not sign refuses the start, at its file:line.
  checkWebhookSecrets(loaded.config, readConfigText(loaded.file), loaded.file, process.env);
  const storeUrl = storeUrlFor(ctx, loaded);
  const json = ctx.options.json === true;
  const quiet = ctx.options.quiet === true;
  // Private state: created 0700/0600 whatever the umask; a widened existing one is reported below.
  ensurePrivateDir(loaded.stateDir);
  const widened = widenedStatePaths(loaded.stateDir);
  // Read once and removed from the environment: supervised processes inherit it, and must not get the key.
  const auditKey = auditKeyFromEnv(process.env, true);
  if (loaded.config.api.enabled) await refuseSecondUp(loaded.stateDir);
  if (!json) ensurePrivateFile(join(loaded.stateDir, 'homeostat.log'));
  const logger = createLogger({ destination: json ? 1 : join(loaded.stateDir, 'homeostat.log') });
  for (const { path, mode } of widened.slice(0, 10)) {
    logger.warn({ path, mode: mode.toString(8) }, 'state readable by group or others');
    ctx.err(`homeostat up: warning: ${path} is ${mode.toString(8).padStart(4, '0')}: group or others can reach it (it holds token hashes, config secrets or logs; chmod go-rwx it unless you meant it)`);
  }
  if (widened.length > 10) ctx.err(`homeostat up: warning: … and ${widened.length - 10} more paths in ${loaded.stateDir} readable by group or others`);
  const out = json ? () => undefined : ctx.out;
  const store = await openStore(storeUrl);
  // Several `up` may share the store: the node names this one's saved states, symptoms and actions.
  const node = nodeName(loaded.config.node.name, loaded.stateDir);
  const supervisor = new Supervisor({
    config: loaded.config,
    baseDir: loaded.baseDir,
    stateDir: loaded.stateDir,
    store,
    owner: node,
    // Called at every failed write (events each second, states every 250 ms): said once per
    // 30 s at most; a store that tracks its health announces each fault itself (watchDiskHealth).
    onStoreError: throttled(30_000, (error, repeats) => {
      logger.warn({ err: error, repeats }, 'store write failed (will retry)');
      if (!json && !store.health) ctx.err(`store write failed (will retry): ${(error as Error).message}`);
    }),
    // Supervised processes die with `up`, even with a SIGKILL (else they keep their ports).
    reaper: true,
    onGuardError: (error) => {
      logger.warn({ err: error }, 'orphan protection degraded');
      if (!json) ctx.err(`homeostat up: orphan protection degraded: ${(error as Error).message}`);
    },
    onGuardRestored: (pid, groups) => {
      logger.info({ reaper: pid, groups }, 'orphan protection restored');
      if (!json) ctx.err(`homeostat up: orphan protection restored: a new reaper (pid ${pid}) guards ${groups} process group${groups === 1 ? '' : 's'}`);
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
  // A stop during start-up must not wait for slow dependencies first (startup.dependencyTimeout).
  void stopRequested.then(() => supervisor.abandonStartup());
  let runtime: ControllerRuntime;
  try {
    runtime = await ControllerRuntime.start({
      loaded,
      store,
      supervisor,
      logger,
      node,
      say: (line) => out(`loop: ${line}`),
      // Each audit head goes to a file and the log stream, outside the database (docs/architecture.md, "The audit chain and its anchors").
      auditAnchor: {
        headFile: join(loaded.stateDir, AUDIT_HEAD_FILE),
        ...(auditKey ? { key: auditKey } : {}),
        onHead: ({ seq, hash, mac, action }) => logger.info({ auditHead: `${seq}:${hash}`, ...(mac ? { auditMac: mac } : {}), action }, 'audit head'),
        onError: (error) => logger.warn({ err: error }, 'audit head file not written (the entry is stored)'),
      },
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  // Before the supervisor starts: callers get a 503 until a replica is ready, and every
  // planned stop (shutdown included) drains through the doors, which close last.
  let doors: FrontDoors;
  try {
    doors = await FrontDoors.open({ config: loaded.config, supervisor, registry: runtime.registry });
  } catch (error) {
    await runtime.stop();
    await store.close();
    throw error;
  }
  const stopDiskWatch = watchDiskHealth({ registry: runtime.registry, health: store.health, log: logDestinationOf(logger), droppedEvents: () => supervisor.droppedEvents, logger, say: (line) => ctx.err(line) });
  let session: LocalApiSession | undefined;
  try {
    await supervisor.start();
    if (runtime.apiUrl) {
      session = await LocalApiSession.open({ store, stateDir: loaded.stateDir, storeUrl, apiUrl: runtime.apiUrl, audit: runtime.knowledge.audit, warn: (line) => ctx.err(`homeostat up: ${line}`) });
    }
  } catch (error) {
    await runtime.stop();
    await supervisor.stop();
    await doors.close();
    await store.close();
    throw error;
  }
  const count = Object.keys(loaded.config.services).length;
  logger.info({ services: count, config: loaded.file, store: displayStoreUrl(storeUrl), metrics: runtime.metricsUrl, api: runtime.apiUrl }, 'homeostat up');
  out(`homeostat up: supervising ${count} service${count === 1 ? '' : 's'} from ${loaded.file} as node ${node} (state in ${loaded.stateDir}, store ${displayStoreUrl(storeUrl)})`);
  out(`homeostat up: loop metrics at ${runtime.metricsUrl}, JSON logs in ${join(loaded.stateDir, 'homeostat.log')}`);
  if (runtime.apiUrl) out(`homeostat up: API at ${runtime.apiUrl} (bearer tokens: homeostat token create --role viewer --name NAME)`);
  const exposure = runtime.apiUrl ? remoteExposureWarning(loaded.config.api, runtime.apiUrl) : undefined;
  if (exposure) {
    ctx.err(`homeostat up: ${exposure}`);
    logger.warn({ host: loaded.config.api.host, allowedHosts: loaded.config.api.allowedHosts }, exposure);
  }
  if (session) out(`homeostat up: dashboard at ${session.dashboardUrl}`);
  for (const door of doors.urls) out(`homeostat up: front door of ${door.service} at ${door.url}`);
  const signal = await stopRequested;
  out(`homeostat up: ${signal}, stopping every process gracefully`);
  logger.info({ signal }, 'stopping');
  // The CLI stops finding the API before it closes, and its token dies after the last answer.
  session?.withdraw();
  await runtime.stop();
  await session?.close().catch((error: unknown) => ctx.err(`homeostat up: could not revoke the local API token: ${(error as Error).message}`));
  await supervisor.stop();
  await doors.close();
  stopDiskWatch();
  await store.close();
  try {
    await flushLogger(logger);
  } catch {
    // the log file never opened: nothing to flush
  }
  out('homeostat up: stopped');
  return 0;
}

/** Calls `report` at most once per `everyMs` (with how many calls it skipped since), so a failing store cannot flood the console and the log. */
function throttled(everyMs: number, report: (error: unknown, repeats: number) => void): (error: unknown) => void {
  let last = -Infinity;
  let skipped = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < everyMs) {
      skipped++;
      return;
    }
    last = now;
    report(error, skipped);
    skipped = 0;
  };
}
